package io.berth.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecJsonTest {
    @Test
    void mapsKeepTheDocumentsOrder() {
        Spec spec = SpecJson.parse(("{\"root\":{\"path\":\"r\"},\"annotations\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\",\"b\":\"4\"},"
                + "\"linux\":{\"sysctl\":{\"net.b\":\"1\",\"net.a\":\"2\",\"kernel.c\":\"3\"}}}").getBytes(StandardCharsets.UTF_8), "c");
        assertThat(spec.annotations().keySet()).containsExactly("z", "a", "m", "b");
        assertThat(spec.linux().sysctl().keySet()).containsExactly("net.b", "net.a", "kernel.c");
        String written = SpecJson.write(spec);
        assertThat(written.indexOf("\"z\"")).isLessThan(written.indexOf("\"a\"")).isLessThan(written.indexOf("\"m\""));
    }

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

    private static String resource(String name) throws Exception {
        // Closed here, not by the GC: a stream left to the GC closes its fd in the middle of a later
        // test in this JVM and upsets that test's fd-leak check (ContainerErrorsTest).
        try (java.io.InputStream in = Objects.requireNonNull(SpecJsonTest.class.getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Spec parse(String json) {
        return SpecJson.parse(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    /** default-config.written.json is what the databind-based SpecJson wrote: the layout must not change. */
    @Test
    void defaultSpecIsWrittenExactlyAsBefore() throws Exception {
        assertThat(SpecJson.write(DefaultSpec.create())).isEqualTo(resource("default-config.written.json"));
    }

    /**
     * Every field Berth models, read and written back: the output is byte for byte what the
     * databind-based SpecJson wrote for the same input (full-config.written.json). Empty strings,
     * lists and maps are left out, so the written form is the fixed point of a round trip.
     */
    @Test
    void everyFieldRoundTripsInTheSameLayoutAsBefore() throws Exception {
        Spec spec = parse(resource("full-config.json"));
        String written = SpecJson.write(spec);
        assertThat(written).isEqualTo(resource("full-config.written.json"));
        assertThat(SpecJson.write(parse(written))).isEqualTo(written);
        assertThat(spec.process().user().uid()).isEqualTo(4294967294L);
        assertThat(spec.linux().seccomp().syscalls().get(0).args().get(0).value()).isEqualTo(new java.math.BigInteger("18446744073709551615"));
        assertThat(spec.hooks().prestart()).containsExactly(new Spec.Hook("/bin/true", java.util.List.of("true", "a"), java.util.List.of("A=1"), 5));
        assertThat(spec.hooks().poststop()).containsExactly(new Spec.Hook("/bin/sh", null, null, null));
        assertThat(spec.hooks().createContainer()).isEmpty();
        assertThat(SpecValidator.problems(spec)).noneMatch(p -> p.contains("hooks"));
    }

    @Test
    void absentBooleansAndNumbersAreFalseAndZero() {
        Spec spec = parse("{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{},\"rlimits\":[{\"type\":\"RLIMIT_CORE\"}]},"
                + "\"root\":{\"path\":\"rootfs\"},\"hooks\":null,\"linux\":{\"resources\":{\"pids\":{}}}}");
        assertThat(spec.process().terminal()).isFalse();
        assertThat(spec.process().user().uid()).isZero();
        assertThat(spec.process().rlimits().get(0).hard()).isZero();
        assertThat(spec.root().readonly()).isFalse();
        assertThat(spec.linux().resources().pids().limit()).isZero();
        assertThat(spec.linux().resources().memory()).isNull();
        assertThat(spec.hooks()).isNull();
    }

    @Test
    void rlimitInfinityIsTheSpecsUint64() {
        Spec spec = parse("{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
                + "\"hard\":18446744073709551615,\"soft\":1024}]},\"root\":{\"path\":\"rootfs\"}}");
        assertThat(spec.process().rlimits().get(0).hard()).isEqualTo(-1L);
        assertThat(SpecValidator.problems(spec)).isEmpty();
        assertThat(SpecJson.write(spec)).contains("\"hard\": 18446744073709551615,");
        assertThat(parse(SpecJson.write(spec))).isEqualTo(spec);
    }

    @Test
    void wrongTypeIsOneLineWithFilePlacePathAndProblem() {
        assertThatThrownBy(() -> parse("{\"process\": {\n  \"user\": {\"uid\": \"0\"}}}"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("malformed config.json at line 2, column 19 (process.user.uid): expected an integer, got a string");
        assertThatThrownBy(() -> parse("{\"linux\": {\"resources\": {\"memory\": {\"limit\": 1.5}}}}"))
                .hasMessage("malformed config.json at line 1, column 46 (linux.resources.memory.limit): expected an integer, got a fraction (1.5)");
        assertThatThrownBy(() -> parse("{\"mounts\": [{\"destination\": \"/x\", \"options\": [\"ro\", 7]}]}"))
                .hasMessageEndingWith("(mounts[0].options[1]): expected a string, got a number");
        assertThatThrownBy(() -> parse("{\"process\": {\"terminal\": \"yes\"}}"))
                .hasMessageEndingWith("(process.terminal): expected true or false, got a string");
        assertThatThrownBy(() -> parse("{\"process\": {\"consoleSize\": {\"height\": 4294967296}}}"))
                .hasMessageEndingWith("(process.consoleSize.height): expected an integer from -2147483648 to 2147483647, got 4294967296");
    }

    @Test
    void aDocumentThatIsNotAnObjectSaysSo() {
        assertThatThrownBy(() -> parse("[]"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("malformed config.json at line 1, column 1: expected an object, got an array");
        assertThatThrownBy(() -> parse("{} x"))
                .hasMessageStartingWith("malformed config.json at line 1, column 4: ");
    }

    @Test
    void emptyFileSaysItIsEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "  \n");
        assertThatThrownBy(() -> SpecJson.read(f))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(f + " is empty: expected an OCI runtime spec object");
        Files.writeString(f, "null");
        assertThatThrownBy(() -> SpecJson.read(f)).hasMessage(f + " is empty: expected an OCI runtime spec object");
        assertThatThrownBy(() -> SpecJson.readProcess(f)).hasMessage(f + " is empty: expected an OCI process object");
    }

    @Test
    void processJsonIsReadAlone(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("process.json");
        Files.writeString(f, "{\"args\":[\"ls\"],\"cwd\":\"/tmp\",\"user\":{\"uid\":1000,\"gid\":1000},\"futureField\":1}");
        Spec.Process p = SpecJson.readProcess(f);
        assertThat(p.args()).containsExactly("ls");
        assertThat(p.user().uid()).isEqualTo(1000);
        Files.writeString(f, "{\"args\":\"ls\"}");
        assertThatThrownBy(() -> SpecJson.readProcess(f))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("malformed " + f + " at line 1, column 9 (args): expected an array, got a string");
        assertThatThrownBy(() -> SpecJson.readProcess(dir.resolve("nope.json")))
                .hasMessageContaining("does not exist: give --process");
    }

    @Test
    void seccompProfileReadsAlone() {
        Spec.Seccomp s = SpecJson.parseSeccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}".getBytes(StandardCharsets.UTF_8), "seccomp.json");
        assertThat(s.defaultAction()).isEqualTo("SCMP_ACT_ALLOW");
        assertThat(SpecJson.parseSeccomp("null".getBytes(StandardCharsets.UTF_8), "seccomp.json")).isNull();
        assertThatThrownBy(() -> SpecJson.parseSeccomp("{\"syscalls\":{}}".getBytes(StandardCharsets.UTF_8), "seccomp.json"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("malformed seccomp.json at line 1, column 13 (syscalls): expected an array, got an object");
    }
}
