package io.berth.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;

class SpecBuilderTest {
    private static Spec parse(String json) {
        return SpecJson.parse(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = Objects.requireNonNull(SpecBuilderTest.class.getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBuilderThatChangesNothingGivesTheSameSpecAndTheSameJson() throws Exception {
        Spec full = parse(resource("full-config.json"));
        assertThat(full.toBuilder().build()).isEqualTo(full);
        assertThat(SpecJson.write(full.toBuilder().build())).isEqualTo(SpecJson.write(full));
        assertThat(DefaultSpec.builder().build()).isEqualTo(DefaultSpec.create());
        assertThat(full.process().toBuilder().build()).isEqualTo(full.process());
    }

    @Test
    void partsTheSourceLackedAppearOnlyWhenASetterNeedsThem() {
        Spec bare = parse("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}");
        assertThat(bare.toBuilder().hostname("h").build().linux()).isNull();
        Spec limited = bare.toBuilder().memoryLimit(64L << 20).build();
        assertThat(SpecJson.write(limited)).contains("\"linux\"").contains("\"memory\"").doesNotContain("\"cpu\"", "\"pids\"", "\"namespaces\"");
        assertThat(limited.linux().resources().memory().limit()).isEqualTo(64L << 20);
        Spec noProcess = parse("{\"root\":{\"path\":\"r\"}}");
        assertThat(noProcess.toBuilder().hostname("h").build().process()).isNull();
        assertThat(noProcess.toBuilder().args("sh").build().process().args()).containsExactly("sh");
    }

    /** What the daemon builds for a pod's container: everything it sets lands where the spec says. */
    @Test
    void aPodContainerSpec() {
        Spec s = DefaultSpec.builder()
                .rootPath(Path.of("/var/lib/berth/containers/c1/rootfs"))
                .readonlyRoot(true)
                .args("nginx", "-g", "daemon off;")
                .env("TERM", "dumb")
                .env("POD_NAME", "web-0")
                .cwd("/srv")
                .user(101, 102)
                .additionalGids(1000, 1001)
                .hostname("web-0")
                .memoryLimit(128L << 20)
                .cpuShares(512)
                .cpuQuota(50_000, 100_000)
                .pidsLimit(64)
                .bindMount(Path.of("/var/lib/berth/volumes/data"), "/data", false)
                .bindMount(Path.of("/etc/resolv.conf"), "/etc/resolv.conf", true)
                .tmpfs("/cache", "size=16m")
                .joinNamespace("network", Path.of("/proc/4242/ns/net"))
                .joinNamespace("ipc", Path.of("/proc/4242/ns/ipc"))
                .cgroupsPath("/berth/pod-1/c1")
                .terminal(24, 80)
                .annotation("io.kubernetes.pod.name", "web-0")
                .build();
        Spec.Process p = s.process();
        assertThat(p.args()).containsExactly("nginx", "-g", "daemon off;");
        assertThat(p.env()).containsExactly(DefaultSpec.DEFAULT_PATH, "TERM=dumb", "POD_NAME=web-0");
        assertThat(p.cwd()).isEqualTo("/srv");
        assertThat(p.user()).isEqualTo(new Spec.User(101, 102, null, List.of(1000L, 1001L), null));
        assertThat(p.terminal()).isTrue();
        assertThat(p.consoleSize()).isEqualTo(new Spec.ConsoleSize(24, 80));
        assertThat(p.capabilities()).isEqualTo(DefaultSpec.create().process().capabilities());
        assertThat(s.root()).isEqualTo(new Spec.Root("/var/lib/berth/containers/c1/rootfs", true));
        assertThat(s.mounts()).startsWith(DefaultSpec.MOUNTS.toArray(Spec.Mount[]::new)).endsWith(
                new Spec.Mount("/data", "bind", "/var/lib/berth/volumes/data", List.of("rbind", "rprivate", "rw")),
                new Spec.Mount("/etc/resolv.conf", "bind", "/etc/resolv.conf", List.of("rbind", "rprivate", "ro")),
                new Spec.Mount("/cache", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "size=16m")));
        // Joined in place of the new ones, the others kept in their order.
        assertThat(s.linux().namespaces()).containsExactly(new Spec.Namespace("pid", null),
                new Spec.Namespace("network", "/proc/4242/ns/net"), new Spec.Namespace("ipc", "/proc/4242/ns/ipc"),
                new Spec.Namespace("uts", null), new Spec.Namespace("mount", null), new Spec.Namespace("cgroup", null));
        Spec.Resources r = s.linux().resources();
        assertThat(r.memory().limit()).isEqualTo(128L << 20);
        assertThat(r.cpu().shares()).isEqualTo(512L);
        assertThat(r.cpu().quota()).isEqualTo(50_000L);
        assertThat(r.cpu().period()).isEqualTo(100_000L);
        assertThat(r.pids().limit()).isEqualTo(64L);
        assertThat(r.devices()).as("the default's deny-all device rule stays").isEqualTo(DefaultSpec.create().linux().resources().devices());
        assertThat(s.linux().cgroupsPath()).isEqualTo("/berth/pod-1/c1");
        assertThat(s.linux().maskedPaths()).isEqualTo(DefaultSpec.create().linux().maskedPaths());
        assertThat(s.annotations()).containsExactly(Map.entry("io.kubernetes.pod.name", "web-0"));
        assertThat(SpecValidator.problems(s)).isEmpty();
        // And it is config.json as any runtime reads it.
        assertThat(parse(SpecJson.write(s))).isEqualTo(s);
    }

    @Test
    void settersReplaceWhatTheyNameAndKeepTheRest() {
        Spec s = DefaultSpec.builder().rootPath("rootfs")
                .env("TERM", "vt100")
                .process(p -> p.rlimit("RLIMIT_NOFILE", 4096, 8192).rlimit("RLIMIT_CORE", 0, 0).umask(077))
                .withoutNamespace("network")
                .namespace("user")
                .idMappings(List.of(new Spec.IdMapping(0, 100000, 65536)), List.of(new Spec.IdMapping(0, 100000, 65536)))
                .terminal(false)
                .build();
        assertThat(s.process().env()).containsExactly(DefaultSpec.DEFAULT_PATH, "TERM=vt100");
        assertThat(s.process().rlimits()).containsExactly(new Spec.Rlimit("RLIMIT_NOFILE", 8192, 4096), new Spec.Rlimit("RLIMIT_CORE", 0, 0));
        assertThat(s.process().user().umask()).isEqualTo(077);
        assertThat(s.linux().namespaces()).extracting(Spec.Namespace::type).containsExactly("pid", "ipc", "uts", "mount", "cgroup", "user");
        assertThat(SpecValidator.problems(s)).isEmpty();
        // A join replaced by a new namespace again.
        Spec back = s.toBuilder().joinNamespace("uts", Path.of("/proc/1/ns/uts")).namespace("uts").build();
        assertThat(back.linux().namespaces()).contains(new Spec.Namespace("uts", null));
        // The builder is a copy: the spec it started from is unchanged.
        assertThat(DefaultSpec.create().process().env()).containsExactly(DefaultSpec.DEFAULT_PATH, "TERM=xterm");
    }

    @Test
    void anExecProcessFromTheDefaults() {
        Spec.Process p = DefaultSpec.processBuilder().args("sh", "-c", "id").cwd("/tmp").user(1000, 1000).build();
        assertThat(p.args()).containsExactly("sh", "-c", "id");
        assertThat(p.cwd()).isEqualTo("/tmp");
        assertThat(p.noNewPrivileges()).isTrue();
        assertThat(p.user().uid()).isEqualTo(1000L);
        SpecValidator.validateProcess(p);
    }

    @Test
    void badArgumentsAreRefusedWhereTheyAreGiven() {
        SpecBuilder b = DefaultSpec.builder();
        assertThatThrownBy(() -> b.args()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("process args [] name no program: give at least the program, e.g. args(\"sh\")");
        assertThatThrownBy(() -> b.env(List.of("A=1", "NOEQUALS"))).hasMessage("environment entry 'NOEQUALS' is invalid: give NAME=value");
        assertThatThrownBy(() -> b.env("A=B", "c")).hasMessage("environment variable name 'A=B' is invalid: give a non-empty name without '='");
        assertThatThrownBy(() -> b.cwd("tmp")).hasMessage("cwd 'tmp' is not absolute: give a path inside the container, e.g. \"/\"");
        assertThatThrownBy(() -> b.user(-1, 0)).hasMessage("uid -1 is invalid: give 0..4294967294");
        assertThatThrownBy(() -> b.memoryLimit(0)).hasMessage("memory limit 0 is invalid: give a positive number of bytes");
        assertThatThrownBy(() -> b.cpuShares(1)).hasMessage("cpu shares 1 is invalid: give 2..262144 (1024 per core)");
        assertThatThrownBy(() -> b.cpuQuota(50_000, 10)).hasMessage("cpu period 10 is invalid: give 1000 to 1000000 microseconds");
        assertThatThrownBy(() -> b.cpus("0-")).hasMessage("cpus '0-' is invalid: give a list such as 0-1 or 0,2");
        assertThatThrownBy(() -> b.pidsLimit(-1)).hasMessage("pids limit -1 is invalid: give a positive number of processes");
        assertThatThrownBy(() -> b.bindMount(Path.of("data"), "/data", true)).hasMessage("bind mount source data is not absolute: give the host path in full");
        assertThatThrownBy(() -> b.tmpfs("cache")).hasMessage("mount destination 'cache' is not absolute: give a path inside the container");
        assertThatThrownBy(() -> b.joinNamespace("net", Path.of("/proc/1/ns/net")))
                .hasMessage("namespace type 'net' is unknown: use one of pid, network, mount, ipc, uts, cgroup, user");
        assertThatThrownBy(() -> b.joinNamespace("network", Path.of("proc/1/ns/net")))
                .hasMessage("namespace path proc/1/ns/net is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/net");
        assertThatThrownBy(() -> b.terminal(0, 80)).hasMessage("terminal size 0x80 is invalid: give 1..65535 rows and columns");
        assertThatThrownBy(() -> b.process(p -> p.rlimit("NOFILE", 1, 1)))
                .hasMessage("rlimit type 'NOFILE' is invalid: give its name as the spec writes it, e.g. RLIMIT_NOFILE");
        assertThatThrownBy(() -> b.rootPath(" ")).hasMessage("root path is empty: give the container's root filesystem directory");
        // Nothing of the refused calls stuck.
        assertThat(b.build()).isEqualTo(DefaultSpec.create());
    }
}
