package io.berth.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecJsonTest {
    @Test
    void defaultSpecRoundTripsAndIsValid() {
        Spec spec = DefaultSpec.create();
        String json = SpecJson.write(spec);
        Spec back = SpecJson.parse(json.getBytes(StandardCharsets.UTF_8), "test");
        assertThat(back).isEqualTo(spec);
        assertThat(SpecValidator.problems(back)).isEmpty();
        assertThat(json).contains("\"CAP_NET_RAW\"", "\"/proc/kcore\"", "\"rootfs\"");
    }

    @Test
    void unknownPropertiesAreIgnoredAsTheSpecRequires() {
        Spec spec = SpecJson.parse("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"vendorExtension":{"x":1},
                 "process":{"args":["sh"],"cwd":"/","futureField":true}}
                """.getBytes(StandardCharsets.UTF_8), "config.json");
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    @Test
    void malformedJsonNamesFileAndPosition() {
        assertThatThrownBy(() -> SpecJson.parse("{\"root\": {\"path\": }".getBytes(StandardCharsets.UTF_8), "bundle/config.json"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("malformed bundle/config.json at line 1")
                .hasMessageNotContaining("\n");
    }

    @Test
    void wrongTypeNamesTheField() {
        assertThatThrownBy(() -> SpecJson.parse("""
                {"root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
                 "linux":{"resources":{"memory":{"limit":"lots"}}}}""".getBytes(StandardCharsets.UTF_8), "config.json"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void missingFileSaysWhatToDo(@TempDir Path dir) {
        assertThatThrownBy(() -> SpecJson.read(dir.resolve("config.json")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("berth-runtime spec");
    }

    @Test
    void readsAFileWrittenByWrite(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, SpecJson.write(DefaultSpec.create()));
        assertThat(SpecJson.read(f).hostname()).isEqualTo("berth");
    }
}
