package io.berth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** docs/library.md shows LibraryExample.java as it is: change one and this fails until the other follows. */
class LibraryDocTest {
    /** Maven runs tests in the module's directory. */
    private static final Path DOC = Path.of("../docs/library.md");
    private static final Path SOURCE = Path.of("src/test/java/io/berth/examples/LibraryExample.java");

    @Test
    void theGuidesCodeBlockIsTheExamplesSource() throws Exception {
        Matcher block = Pattern.compile("```java\n(package io\\.berth\\.examples;\n.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        assertThat(block.find()).as("a ```java block in %s that starts with the example's package line", DOC).isTrue();
        assertThat(block.group(1)).isEqualTo(Files.readString(SOURCE));
    }
}
