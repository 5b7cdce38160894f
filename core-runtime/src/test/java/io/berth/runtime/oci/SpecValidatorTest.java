package io.berth.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SpecValidatorTest {
    private static Spec parse(String linuxJson) {
        return SpecJson.parse(("{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":" + linuxJson + "}")
                .getBytes(StandardCharsets.UTF_8), "config.json");
    }

    @Test
    void unimplementedSecuritySettingsAreRefusedByName() {
        assertThat(SpecValidator.problems(parse("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}"))).isEmpty();
        assertThatThrownBy(() -> SpecValidator.validate(parse("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/run/a.sock\"}}")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("config.json: linux.seccomp.defaultAction SCMP_ACT_NOTIFY is not supported by Berth yet: remove it from config.json or run this bundle with runc");
        assertThat(SpecValidator.problems(parse("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}}")))
                .singleElement().asString().contains("linux.seccomp.syscalls[0].args[0].op 'SCMP_CMP_FOO'");
        assertThat(SpecValidator.problems(parse("{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}"))).singleElement().asString().contains("linux.sysctl");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}]}"))).singleElement().asString().contains("'user'");
    }

    @Test
    void namespacePathsAreAcceptedExceptForUserAndRelativeOnes() {
        // The file itself is checked at create (LaunchPlanner.joins), where it must exist.
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"mount\"}]}"))).isEmpty();
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"proc/1/ns/ipc\"}]}")))
                .singleElement().asString().isEqualTo("linux.namespaces ipc path 'proc/1/ns/ipc' is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/...");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]}")))
                .singleElement().asString().isEqualTo("linux.namespaces type 'user' (path /proc/1/ns/user) is not supported by Berth yet: remove it from config.json or run this bundle with runc");
    }

    @Test
    void kernelMemoryLimitsAreAcceptedAndIgnoredAsRuncDoes() {
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"memory\":{\"limit\":50593792,\"kernel\":50593792,\"kernelTCP\":50593792,"
                + "\"swappiness\":10,\"disableOOMKiller\":true}}}"))).isEmpty();
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"memory\":{\"swappiness\":101}}}")))
                .singleElement().asString().isEqualTo("linux.resources.memory.swappiness 101 is invalid: give 0..100");
        // 2^64-1 is runc's "leave it alone" (int64 -1); it reads as -1 and writes back unchanged.
        Spec unset = parse("{\"resources\":{\"memory\":{\"swappiness\":18446744073709551615}}}");
        assertThat(unset.linux().resources().memory().swappiness()).isEqualTo(-1L);
        assertThat(SpecValidator.problems(unset)).isEmpty();
        assertThat(SpecJson.write(unset)).containsPattern("\"swappiness\" ?: 18446744073709551615");
    }

    @Test
    void invalidValuesSayWhatIsExpected() {
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"memory\":{\"limit\":-5}}}")))
                .singleElement().asString().contains("memory.limit -5 is invalid");
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"cpu\":{\"period\":10}}}")))
                .singleElement().asString().contains("cpu.period 10");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}")))
                .singleElement().asString().contains("twice");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"pdi\"}]}")))
                .singleElement().asString().contains("unknown type 'pdi'");
    }

    @Test
    void processProblems() {
        Spec spec = SpecJson.parse("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[],\"cwd\":\"tmp\",\"env\":[\"NOEQUALS\"],\"capabilities\":{\"bounding\":[\"CAP_FLY\"]}}}"
                .getBytes(StandardCharsets.UTF_8), "c");
        assertThat(SpecValidator.problems(spec)).anyMatch(s -> s.contains("process.args is empty"))
                .anyMatch(s -> s.contains("process.cwd 'tmp'"))
                .anyMatch(s -> s.contains("NOEQUALS"))
                .anyMatch(s -> s.contains("CAP_FLY"));
    }

    @Test
    void consoleSizeNeedsATerminalAndARange() {
        Spec noTty = SpecJson.parse("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"consoleSize\":{\"height\":24,\"width\":80}}}"
                .getBytes(StandardCharsets.UTF_8), "c");
        assertThat(SpecValidator.problems(noTty)).singleElement().asString().contains("process.terminal is false");
        Spec tty = SpecJson.parse("{\"root\":{\"path\":\"r\"},\"process\":{\"terminal\":true,\"args\":[\"sh\"],\"cwd\":\"/\",\"consoleSize\":{\"height\":24,\"width\":80}}}"
                .getBytes(StandardCharsets.UTF_8), "c");
        assertThat(SpecValidator.problems(tty)).isEmpty();
    }
}
