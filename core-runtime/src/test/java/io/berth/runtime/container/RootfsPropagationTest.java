package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * linux.rootfsPropagation as the container sees its own root in /proc/self/mountinfo (the optional
 * fields of the "/" line), and the host's mount table untouched by it.
 */
class RootfsPropagationTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @ParameterizedTest
    @CsvSource({
        "'',         ''",
        "rslave,     ''",
        "private,    ''",
        "shared,     shared:",
        "rshared,    shared:",
        "unbindable, unbindable",
    })
    void theRootHasThePropagationAsked(String propagation, String expectedField) throws Exception {
        List<String> hostBefore = LeakSnapshot.hostMountPoints();
        // Field 5 is the mount point; the optional fields run from 7 to the "-" separator.
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c",
                "awk '$5 == \"/\" { f = \"\"; for (i = 7; $i != \"-\"; i++) f = f \" \" $i; print \"fields:\" f }' /proc/self/mountinfo"),
                b -> b.rootfsPropagation(propagation.isEmpty() ? null : propagation));
        Container c = f.runtime.create("p", bundle, f.stdio());
        f.runtime.start("p");
        assertThat(c.waitFor().exitCode()).isZero();
        f.runtime.delete("p", false);
        String fields = f.stdout().strip();
        assertThat(fields).startsWith("fields:");
        if (!expectedField.isEmpty()) {
            assertThat(fields).contains(" " + expectedField);
        }
        // Slave and private show "master:N" or nothing, depending on the host's own / (private in
        // many build containers); never a peer group the container could propagate into.
        if (!propagation.contains("shared")) {
            assertThat(fields).doesNotContain("shared:");
        }
        if (!propagation.contains("unbindable")) {
            assertThat(fields).doesNotContain("unbindable");
        }
        assertThat(LeakSnapshot.hostMountPoints()).as("the host's mount points").isEqualTo(hostBefore);
    }
}
