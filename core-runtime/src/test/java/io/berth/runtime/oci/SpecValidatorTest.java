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
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"time\"}]}"))).singleElement().asString().contains("'time'");
        // A joined user namespace has its maps already; the spec's, if any, are not written.
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"},{\"type\":\"mount\"}]," + MAPS + "}"))).isEmpty();
    }

    /** A whole document with {@code process} and {@code linux} as given (JSON object bodies). */
    private static Spec parse(String processJson, String linuxJson) {
        return SpecJson.parse(("{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"" + processJson
                + "},\"linux\":{" + linuxJson + "}}").getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static void refusedByName(String field, String processJson, String linuxJson) {
        assertThatThrownBy(() -> SpecValidator.validate(parse(processJson, linuxJson)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("config.json: " + field + " is not supported by Berth yet: remove it from config.json or run this bundle with runc");
    }

    // Security and resource settings Berth does not implement are refused by name, one test each, so
    // that dropping one from the validator (which would silently run without it) fails here.

    @Test
    void apparmorProfileIsRefusedByName() {
        refusedByName("process.apparmorProfile", ",\"apparmorProfile\":\"docker-default\"", "");
    }

    @Test
    void selinuxLabelIsRefusedByName() {
        refusedByName("process.selinuxLabel", ",\"selinuxLabel\":\"system_u:system_r:container_t:s0\"", "");
    }

    @Test
    void mountLabelIsRefusedByName() {
        refusedByName("linux.mountLabel", "", "\"mountLabel\":\"system_u:object_r:container_file_t:s0\"");
    }

    @Test
    void blockIoIsRefusedByName() {
        refusedByName("linux.resources.blockIO", "", "\"resources\":{\"blockIO\":{\"weight\":500}}");
    }

    @Test
    void hugepageLimitsAreRefusedByName() {
        refusedByName("linux.resources.hugepageLimits", "", "\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":209715200}]}");
    }

    @Test
    void rdmaIsRefusedByName() {
        refusedByName("linux.resources.rdma", "", "\"resources\":{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}");
    }

    @Test
    void unifiedIsRefusedByName() {
        refusedByName("linux.resources.unified", "", "\"resources\":{\"unified\":{\"memory.high\":\"1073741824\"}}");
    }

    @Test
    void memoryUseHierarchyIsRefusedByName() {
        refusedByName("linux.resources.memory.useHierarchy", "", "\"resources\":{\"memory\":{\"useHierarchy\":true}}");
    }

    @Test
    void memoryCheckBeforeUpdateIsRefusedByName() {
        refusedByName("linux.resources.memory.checkBeforeUpdate", "", "\"resources\":{\"memory\":{\"checkBeforeUpdate\":true}}");
    }

    @Test
    void cpuRealtimeRuntimeAndPeriodAreRefusedByName() {
        refusedByName("linux.resources.cpu.realtimeRuntime", "", "\"resources\":{\"cpu\":{\"realtimeRuntime\":950000}}");
        refusedByName("linux.resources.cpu.realtimePeriod", "", "\"resources\":{\"cpu\":{\"realtimePeriod\":1000000}}");
    }

    @Test
    void cpuBurstIsRefusedByName() {
        refusedByName("linux.resources.cpu.burst", "", "\"resources\":{\"cpu\":{\"burst\":10000}}");
    }

    @Test
    void cpuIdleIsRefusedByName() {
        refusedByName("linux.resources.cpu.idle", "", "\"resources\":{\"cpu\":{\"idle\":1}}");
    }

    private static final String MAPS = "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
            + "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]";

    @Test
    void aUserNamespaceNeedsBothMapsAndMapsNeedAUserNamespace() {
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"}]," + MAPS + "}"))).isEmpty();
        assertThatThrownBy(() -> SpecValidator.validate(parse("{\"namespaces\":[{\"type\":\"user\"}]}")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("config.json: linux.namespaces has a user namespace but linux.uidMappings is empty: give both uidMappings"
                        + " and gidMappings, e.g. [{\"containerID\":0,\"hostID\":100000,\"size\":65536}]");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],"
                + "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}")))
                .singleElement().asString().contains("linux.gidMappings is empty");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"mount\"}]," + MAPS + "}")))
                .singleElement().asString().isEqualTo("linux.uidMappings/gidMappings are set but linux.namespaces has no user namespace:"
                        + " add {\"type\":\"user\"} or drop the mappings");
    }

    @Test
    void procAndMqueueInANewUserNamespaceNeedItsOwnPidAndIpcNamespaces() {
        String mounts = "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                + "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\"}]";
        String linux = "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"}%s]," + MAPS + "}";
        String spec = "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}," + mounts + "," + linux + "}";
        assertThat(SpecValidator.problems(SpecJson.parse(String.format(spec, "").getBytes(StandardCharsets.UTF_8), "c")))
                .containsExactly("mount type 'proc' at /proc in a new user namespace needs a new pid namespace too (the kernel refuses it"
                        + " otherwise): add {\"type\":\"pid\"} to linux.namespaces or drop the mount",
                        "mount type 'mqueue' at /dev/mqueue in a new user namespace needs a new ipc namespace too (the kernel refuses it"
                        + " otherwise): add {\"type\":\"ipc\"} to linux.namespaces or drop the mount");
        assertThat(SpecValidator.problems(SpecJson.parse(String.format(spec, ",{\"type\":\"pid\"},{\"type\":\"ipc\"}")
                .getBytes(StandardCharsets.UTF_8), "c"))).isEmpty();
    }

    @Test
    void idMapRangesMustBeSane() {
        String gid = "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]";
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":0}]," + gid + "}")))
                .singleElement().asString().isEqualTo("linux.uidMappings[0] {containerID 0, hostID 1000, size 0} has no size: give the number of ids to map (at least 1)");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967000,\"size\":1000}]," + gid + "}")))
                .singleElement().asString().contains("linux.uidMappings[0]").contains("is out of range");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":1}]," + gid + "}")))
                .singleElement().asString().endsWith("is out of range: id+size must not exceed 4294967295");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967294,\"size\":1}]," + gid + "}")))
                .isEmpty();
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":-1,\"hostID\":1000,\"size\":10}]," + gid + "}")))
                .singleElement().asString().contains("is out of range");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10},"
                + "{\"containerID\":5,\"hostID\":5000,\"size\":10}]," + gid + "}")))
                .singleElement().asString().isEqualTo("linux.uidMappings[1] {containerID 5, hostID 5000, size 10} overlaps linux.uidMappings[0]:"
                        + " each id may be mapped once, inside and outside");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10},"
                + "{\"containerID\":10,\"hostID\":1000,\"size\":1}]," + gid + "}")))
                .singleElement().asString().contains("overlaps linux.uidMappings[0]");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":1,\"hostID\":1000,\"size\":10}]," + gid + "}")))
                .singleElement().asString().isEqualTo("linux.uidMappings maps no range containing containerID 0: the container's root must be"
                        + " mapped, e.g. {\"containerID\":0,\"hostID\":100000,\"size\":65536}");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < SpecValidator.MAX_ID_MAPPINGS + 1; i++) {
            many.append(i == 0 ? "" : ",").append("{\"containerID\":").append(i).append(",\"hostID\":").append(100000 + i).append(",\"size\":1}");
        }
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[" + many + "]," + gid + "}")))
                .singleElement().asString().contains("linux.uidMappings has 341 entries: the kernel takes at most 340");
    }

    @Test
    void namespacePathsAreAcceptedExceptRelativeOnes() {
        // The file itself is checked at create (LaunchPlanner.joins), where it must exist.
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"mount\"}]}"))).isEmpty();
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"proc/1/ns/ipc\"}]}")))
                .singleElement().asString().isEqualTo("linux.namespaces ipc path 'proc/1/ns/ipc' is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/...");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"},{\"type\":\"mount\"}]}"))).isEmpty();
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

    private static final String ALL_NS = "\"namespaces\":[{\"type\":\"ipc\"},{\"type\":\"network\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]";

    @Test
    void onlyNamespacedSysctlsInTheContainersOwnNamespacesAreAllowed() {
        assertThat(SpecValidator.problems(parse("{" + ALL_NS + ",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\","
                + "\"kernel.msgmnb\":\"1\",\"kernel.sem\":\"1 2 3 4\",\"kernel.shm_rmid_forced\":\"1\",\"fs.mqueue.msg_max\":\"1\","
                + "\"kernel.domainname\":\"d\",\"kernel.hostname\":\"h\"}}"))).isEmpty();
        assertThat(SpecValidator.problems(parse("{" + ALL_NS + ",\"sysctl\":{\"kernel.pid_max\":\"1\"}}"))).singleElement().asString()
                .startsWith("linux.sysctl kernel.pid_max is not namespaced (it would change the host)");
        assertThat(SpecValidator.problems(parse("{" + ALL_NS + ",\"sysctl\":{\"vm.swappiness\":\"1\"}}"))).singleElement().asString()
                .contains("vm.swappiness is not namespaced");
        assertThat(SpecValidator.problems(parse("{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":{\"kernel.shmmax\":\"1\","
                + "\"fs.mqueue.queues_max\":\"1\",\"net.core.somaxconn\":\"1\",\"kernel.domainname\":\"d\"}}")))
                .containsExactly(
                        "linux.sysctl fs.mqueue.queues_max is not allowed in the host's ipc namespace: add {\"type\":\"ipc\"} to linux.namespaces",
                        "linux.sysctl kernel.domainname is not allowed in the host's uts namespace: add {\"type\":\"uts\"} to linux.namespaces",
                        "linux.sysctl kernel.shmmax is not allowed in the host's ipc namespace: add {\"type\":\"ipc\"} to linux.namespaces",
                        "linux.sysctl net.core.somaxconn is not allowed in the host's network namespace: add {\"type\":\"network\"} to linux.namespaces");
        Spec withHostname = SpecJson.parse(("{\"root\":{\"path\":\"r\"},\"hostname\":\"h\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                + "\"linux\":{" + ALL_NS + ",\"sysctl\":{\"kernel.hostname\":\"x\"}}}").getBytes(StandardCharsets.UTF_8), "c");
        assertThat(SpecValidator.problems(withHostname)).singleElement().asString()
                .isEqualTo("linux.sysctl kernel.hostname conflicts with the hostname field: set only one of them");
    }

    @Test
    void devicesAreCheckedEntryByEntry() {
        assertThat(SpecValidator.problems(parse("{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/a\",\"major\":1,\"minor\":3,\"fileMode\":432,\"uid\":1,\"gid\":2},"
                + "{\"type\":\"u\",\"path\":\"/opt/b\",\"major\":1,\"minor\":5},{\"type\":\"p\",\"path\":\"/dev/f\"},"
                + "{\"type\":\"b\",\"path\":\"/dev/sda\",\"major\":8,\"minor\":0,\"fileMode\":8624}]}"))).isEmpty();
        assertThat(SpecValidator.problems(parse("{\"devices\":[{\"type\":\"q\",\"path\":\"/dev/a\",\"major\":1,\"minor\":3},"
                + "{\"type\":\"c\",\"path\":\"/\",\"major\":1,\"minor\":3},{\"type\":\"c\",\"major\":1,\"minor\":3},"
                + "{\"type\":\"c\",\"path\":\"/dev/m\",\"major\":1},{\"type\":\"b\",\"path\":\"/dev/r\",\"major\":1,\"minor\":2000000}]}")))
                .containsExactly("linux.devices: device /dev/a: device type 'q' is invalid: use c, b, u or p",
                        "linux.devices: device path '/' must be an absolute path inside the container below /",
                        "linux.devices: device path 'null' must be an absolute path inside the container below /",
                        "linux.devices: device /dev/m of type c needs major and minor numbers",
                        "linux.devices: device /dev/r 1:2000000 is out of range: major must be 0..4095 and minor 0..1048575");
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
