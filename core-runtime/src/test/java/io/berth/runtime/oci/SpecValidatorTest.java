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
    void invalidValuesSayWhatIsExpected() {
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"memory\":{\"limit\":-5}}}")))
                .singleElement().asString().contains("memory.limit -5 is invalid");
        assertThat(SpecValidator.problems(parse("{\"resources\":{\"cpu\":{\"period\":10}}}")))
                .singleElement().asString().contains("cpu.period 10");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}")))
                .singleElement().asString().contains("twice");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"pdi\"}]}")))
                .singleElement().asString().contains("unknown type 'pdi'");
        assertThat(SpecValidator.problems(parse("{\"rootfsPropagation\":\"sideways\"}"))).containsExactly(
                "linux.rootfsPropagation 'sideways' is not a propagation: use one of private, rprivate, slave, rslave, shared, rshared,"
                        + " unbindable, runbindable (or leave it out for rslave)");
        assertThat(SpecValidator.problems(parse("{\"rootfsPropagation\":\"shared\"}"))).isEmpty();
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

    private static Spec withHooks(String hooksJson) {
        return SpecJson.parse(("{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"hooks\":" + hooksJson + "}")
                .getBytes(StandardCharsets.UTF_8), "config.json");
    }

    @Test
    void hooksNeedAnAbsolutePathAndAPositiveTimeout() {
        assertThat(SpecValidator.problems(withHooks("{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"env\":[\"A=1\"],\"timeout\":3}],"
                + "\"createRuntime\":[{\"path\":\"/bin/true\"}],\"poststart\":[{\"path\":\"/bin/true\"}],\"poststop\":[{\"path\":\"/bin/true\"}]}"))).isEmpty();
        assertThatThrownBy(() -> SpecValidator.validate(withHooks("{\"poststop\":[{\"path\":\"/bin/true\"},{\"path\":\"bin/true\"}]}")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("config.json: hooks.poststop[1].path 'bin/true' must be an absolute path on the host");
        assertThat(SpecValidator.problems(withHooks("{\"prestart\":[{\"path\":\"/bin/true\",\"timeout\":0}]}")))
                .singleElement().asString().isEqualTo("hooks.prestart[0].timeout 0 must be a positive number of seconds (or left out for none)");
        assertThat(SpecValidator.problems(withHooks("{\"createRuntime\":[{\"timeout\":-1}]}")))
                .anyMatch(s -> s.startsWith("hooks.createRuntime[0].path 'null' must be an absolute path"))
                .anyMatch(s -> s.startsWith("hooks.createRuntime[0].timeout -1"));
        assertThat(SpecValidator.problems(withHooks("{\"poststart\":[{\"path\":\"/bin/true\",\"env\":[\"NOEQUALS\"]}]}")))
                .singleElement().asString().contains("hooks.poststart[0].env entry 'NOEQUALS' must be NAME=value");
    }

    @Test
    void hooksInsideTheContainerAreRefusedByName() {
        assertThat(SpecValidator.problems(withHooks("{\"createContainer\":[{\"path\":\"/bin/true\"}]}")))
                .containsExactly("hooks.createContainer is not supported by Berth yet: remove it from config.json or run this bundle with runc");
        assertThat(SpecValidator.problems(withHooks("{\"startContainer\":[{\"path\":\"/bin/true\"}]}")))
                .containsExactly("hooks.startContainer is not supported by Berth yet: remove it from config.json or run this bundle with runc");
        assertThat(SpecValidator.problems(withHooks("{\"createContainer\":[],\"startContainer\":[]}"))).isEmpty();
    }

    @Test
    void aHookThatIsNotAnObjectIsAJsonError() {
        assertThatThrownBy(() -> withHooks("{\"prestart\":[\"/bin/true\"]}"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("hooks.prestart[0]");
    }
}
