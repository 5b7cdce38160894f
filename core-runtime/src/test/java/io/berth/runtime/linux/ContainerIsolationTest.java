package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/** Real containers on the shared busybox rootfs with runc's default mounts, masks and read-only paths. */
@Timeout(60)
class ContainerIsolationTest {
    @TempDir
    Path tmp;

    TestContainer container;
    List<String> mountsBefore;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
        mountsBefore = mounts(tmp);
    }

    @org.junit.jupiter.api.AfterEach
    void noMountLeaks() throws Exception {
        if (mountsBefore != null) {
            assertThat(mounts(tmp)).isEqualTo(mountsBefore);
        }
    }

    /**
     * Host mount points a launch could leak: anything under the rootfs fixture or a test's temp
     * dirs, and the host's own system mounts (where a propagation bug would stack copies). Other
     * helpers' tests mount elsewhere on this shared machine, so the whole table is not compared.
     */
    static List<String> mounts(Path testTmp) throws Exception {
        String rootfs = BusyboxRootfs.cacheDir().toString();
        List<String> system = List.of("/", "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue");
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(rootfs) || system.contains(m) || m.startsWith(testTmp.toString()))
                .sorted().collect(Collectors.toList());
    }

    @Test
    void processIsPidOneAndSeesOnlyItsOwnProcesses() throws Exception {
        var r = container.run(tmp, "echo $$; ps -o pid,comm; true");
        assertThat(r.status().code()).as(r.err()).isZero();
        List<String> lines = r.lines();
        assertThat(lines.get(0)).isEqualTo("1");
        List<String> procs = lines.subList(2, lines.size()).stream().map(String::trim).collect(Collectors.toList());
        assertThat(procs).hasSize(2).allSatisfy(p -> assertThat(Integer.parseInt(p.split("\\s+")[0])).isLessThan(10));
    }

    @Test
    void hostnameIsTheContainersAndTheHostKeepsItsOwn() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        var r = container.run(tmp, "hostname; cat /proc/sys/kernel/hostname");
        assertThat(r.lines()).containsExactly("berth-test", "berth-test");
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(host);
    }

    @Test
    void rootIsTheRootfsAndTheHostIsUnreachable() throws Exception {
        Path secret = Files.writeString(tmp.resolve("host-secret"), "x");
        List<String> expected;
        try (Stream<Path> s = Files.list(container.rootfs)) {
            expected = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        var r = container.run(tmp, "ls -a / | grep -v '^\\.*$' | sort; echo --; ls /.. /../.. | sort -u | grep -v : | grep . ; echo --;"
                + " ls /proc/1/root/..; echo --; readlink /proc/self/cwd; echo --;"
                + " cat " + secret + " /../../.." + secret + " /proc/1/root/" + secret + " 2>&1; echo --; ls /proc/1/cwd/../..");
        assertThat(r.status().code()).as(r.err()).isNotEqualTo(-1);
        List<List<String>> parts = split(r.lines());
        assertThat(parts.get(0)).isEqualTo(expected);
        assertThat(parts.get(1)).isEqualTo(expected);
        assertThat(parts.get(2)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(parts.get(3)).containsExactly("/");
        assertThat(parts.get(4)).hasSize(3).allSatisfy(l -> assertThat(l).contains("No such file or directory"));
        assertThat(parts.get(5)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void envIsExactlyThePlansAndCwdAndIdsApply() throws Exception {
        // A private copy whose root is world-searchable, as an image's root is (the shared fixture's is 0700).
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(rootfs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        container = new TestContainer(rootfs);
        container.user = new ProcessSetup.User(1000, 1001, List.of(10, 2000), 0022);
        container.cwd = "/tmp";
        container.env = List.of("PATH=/bin:/usr/bin", "GREETING=hello world", "EMPTY=");
        var r = container.run(tmp, List.of("sh", "-c", "env | sort; echo --; pwd; id -u; id -g; id -G; umask"),
                p -> p);
        assertThat(r.status().code()).as(r.err()).isZero();
        List<List<String>> parts = split(r.lines());
        assertThat(parts.get(0)).containsExactlyInAnyOrder("PATH=/bin:/usr/bin", "GREETING=hello world", "EMPTY=",
                "PWD=/tmp", "SHLVL=1");
        assertThat(parts.get(1)).containsExactly("/tmp", "1000", "1001", "1001 10 2000", "0022");
    }

    @Test
    void envCommandSeesExactlyThePlansEnv() throws Exception {
        container.env = List.of("PATH=/usr/bin", "A=1", "B=two words");
        var r = container.run(tmp, List.of("env"), p -> p);
        assertThat(r.lines()).containsExactly("PATH=/usr/bin", "A=1", "B=two words");
    }

    @Test
    void capabilitiesNoNewPrivsAndRlimitsApply() throws Exception {
        container.rlimits = List.of(new ProcessSetup.Limit(Rlimit.NOFILE, 321, 654));
        var r = container.run(tmp, "grep -E '^(CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs)' /proc/self/status; ulimit -n; ulimit -Hn");
        assertThat(r.status().code()).as(r.err()).isZero();
        String docker = String.format("%016x", Capability.mask(Capability.dockerDefaults()));
        assertThat(r.lines()).containsExactly("CapInh:\t0000000000000000", "CapPrm:\t" + docker, "CapEff:\t" + docker,
                "CapBnd:\t" + docker, "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "321", "654");
        assertThat(docker).isEqualTo("00000000a80425fb");
    }

    @Test
    void maskedAndReadonlyPathsAndSysAreProtected() throws Exception {
        var r = container.run(tmp, "cat /proc/timer_list | wc -c; ls -A /sys/firmware /proc/acpi | grep -v : | grep -c .; cat /proc/keys | wc -c; echo --;"
                + " for p in /proc/sysrq-trigger /proc/sys/kernel/hostname /sys/kernel/uevent_helper; do echo x 2>/dev/null > $p && echo WROTE $p || echo RO; done;"
                + " echo --; touch /sys/newfile 2>&1 | grep -c 'Read-only'; mkdir /sys/firmware/x 2>&1 | grep -c 'Read-only'");
        assertThat(r.status().code()).as(r.err()).isZero();
        List<List<String>> parts = split(r.lines());
        assertThat(parts.get(0)).containsExactly("0", "0", "0");
        assertThat(parts.get(1)).containsExactly("RO", "RO", "RO");
        assertThat(parts.get(2)).containsExactly("1", "1");
    }

    @Test
    void devHasTheNodesAndLinks() throws Exception {
        var r = container.run(tmp, "ls -l /dev | awk '{print $1, $5, $6, $NF}' | grep -v '^total'; echo --;"
                + " echo hi > /dev/null && head -c 4 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c;"
                + " grep -c ' /dev/pts devpts ' /proc/mounts; grep -c ' /dev/shm tmpfs ' /proc/mounts;"
                + " grep -c ' /dev/mqueue mqueue ' /proc/mounts; grep ' /sys sysfs ' /proc/mounts | grep -c ' ro,'");
        assertThat(r.status().code()).as(r.err()).isZero();
        List<List<String>> parts = split(r.lines());
        assertThat(parts.get(0)).contains("crw-rw-rw- 1, 3 null", "crw-rw-rw- 1, 5 zero", "crw-rw-rw- 1, 7 full",
                "crw-rw-rw- 1, 8 random", "crw-rw-rw- 1, 9 urandom", "crw-rw-rw- 5, 0 tty");
        assertThat(String.join("\n", parts.get(0))).contains("/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1",
                "/proc/self/fd/2", "pts/ptmx");
        assertThat(parts.get(1)).containsExactly("4", "3", "1", "1", "1", "1");
    }

    @Test
    void networkHasOnlyLoopbackAndItIsUp() throws Exception {
        var r = container.run(tmp, "ls /sys/class/net; cat /sys/class/net/lo/flags; ip -o link | wc -l");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines().get(0)).isEqualTo("lo");
        assertThat(Integer.decode(r.lines().get(1)) & 1).as("IFF_UP").isEqualTo(1);
        assertThat(r.lines().get(2)).isEqualTo("1");
    }

    private static List<List<String>> split(List<String> lines) {
        List<List<String>> parts = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String l : lines) {
            if (l.equals("--")) {
                parts.add(cur);
                cur = new ArrayList<>();
            } else {
                cur.add(l);
            }
        }
        parts.add(cur);
        return parts;
    }

    static String join(String... s) {
        return Arrays.stream(s).collect(Collectors.joining(" "));
    }
}
