package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.ChildSetupException;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;

/** Bad input: a clear one-line error, and nothing left behind (state, cgroups, mounts, fds, processes). */
class ContainerErrorsTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();
    LeakSnapshot before;

    @BeforeEach
    void setUp() throws Exception {
        before = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
    }

    private void failsCleanly(ThrowingCallable create, Class<? extends Throwable> type, String message) throws Exception {
        assertThatThrownBy(create).isInstanceOf(type).hasMessageContaining(message).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        LeakSnapshot after = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        assertThat(after.stateDirs()).as("state directories").isEmpty();
        assertThat(after.cgroupDirs()).as("cgroups").isEmpty();
        assertThat(after.mounts()).as("mounts").isEqualTo(before.mounts());
        assertThat(after.fds()).as("open fds").isSubsetOf(before.fds());
        assertThat(after.children()).as("child processes").isEqualTo(before.children());
        assertThat(LeakSnapshot.zombieChildren()).as("zombies").isZero();
    }

    @Test
    void missingRootfs() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.rootPath("/nonexistent/rootfs"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "root.path /nonexistent/rootfs does not exist");
    }

    @Test
    void rootfsThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("rootfs.tar"), "not a directory");
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.rootPath(file));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "is not a directory");
    }

    /** The library words it for a library caller (the CLI's --console-socket is one way of giving one). */
    @Test
    void aConsoleSocketWithoutATerminal() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio(), dir.resolve("console.sock")), InvalidSpecException.class,
                "a console socket was given but process.terminal is false in config.json"
                        + ": set it to true or create without a console socket");
    }

    private Path joining(String name, String type, String path) throws Exception {
        return Bundles.write(dir.resolve(name), List.of("true"), s -> s.joinNamespace(type, Path.of(path)));
    }

    /** A spec built in memory has no config.json to fix: its errors say "spec", whichever step finds them. */
    @Test
    void errorsInAnInMemorySpecAreNotBlamedOnConfigJson() throws Exception {
        Spec rdma = Bundles.spec(List.of("true")).resources(new Spec.Resources(null, null, null, null, null, null, null,
                java.util.Map.of("mlx5_1", java.util.Map.of("hcaHandles", 3)), null)).build();
        failsCleanly(() -> f.runtime.create("x", dir, rdma, f.stdio()), InvalidSpecException.class,
                "spec: linux.resources.rdma is not supported by Berth yet: leave it out of the spec");
        Spec wrongNamespace = Bundles.spec(List.of("true")).joinNamespace("network", Path.of("/proc/self/ns/ipc")).build();
        failsCleanly(() -> f.runtime.create("x", dir, wrongNamespace, f.stdio()), InvalidSpecException.class,
                "spec: linux.namespaces network path '/proc/self/ns/ipc' is a ipc namespace, not net");
        Spec noMount = Bundles.spec(List.of("true")).withoutNamespace("mount").build();
        failsCleanly(() -> f.runtime.create("x", dir, noMount, f.stdio()), InvalidSpecException.class,
                "spec: linux.namespaces must include mount");
        Spec tiny = Bundles.spec(List.of("true")).memoryLimit(4096).build();
        failsCleanly(() -> f.runtime.create("x", dir, tiny, f.stdio()), InvalidSpecException.class, "spec: linux.resources: memoryLimit must be at least");
        Spec noRoot = Bundles.spec(List.of("true")).rootPath("/nonexistent/rootfs").build();
        failsCleanly(() -> f.runtime.create("x", dir, noRoot, f.stdio()), InvalidSpecException.class,
                "root.path /nonexistent/rootfs does not exist: unpack an image there or fix root.path in the spec");
        for (Spec s : List.of(rdma, wrongNamespace, noMount, tiny, noRoot)) {
            assertThatThrownBy(() -> f.runtime.create("x", dir, s, f.stdio())).satisfies(e -> assertThat(e.getMessage()).doesNotContain("config.json"));
        }
        // The same spec from a bundle is config.json's.
        Path b = Bundles.write(dir.resolve("b"), noMount);
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "config.json: linux.namespaces must include mount");
    }

    @Test
    void namespacePathOfTheWrongType() throws Exception {
        Path b = joining("b", "network", "/proc/self/ns/ipc");
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces network path '/proc/self/ns/ipc' is a ipc namespace, not net: give a net namespace file or fix the entry's type");
    }

    @Test
    void namespacePathThatIsMissingOrNoNamespace() throws Exception {
        Path gone = joining("gone", "uts", "/proc/999999999/ns/uts");
        failsCleanly(() -> f.runtime.create("x", gone, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces uts path '/proc/999999999/ns/uts' cannot be opened: the process or bind mount that held the namespace is gone");
        Path file = Files.writeString(dir.resolve("not-a-namespace"), "x");
        Path plain = joining("plain", "mount", file.toString());
        failsCleanly(() -> f.runtime.create("x", plain, f.stdio()), InvalidSpecException.class,
                "config.json: linux.namespaces mount path '" + file + "' is not a namespace file: give /proc/PID/ns/mnt");
        Path fifo = dir.resolve("fifo");
        io.berth.runtime.linux.LibC.mkfifo(fifo.toString(), 0600);
        Path pipe = joining("pipe", "ipc", fifo.toString());
        failsCleanly(() -> f.runtime.create("x", pipe, f.stdio()), InvalidSpecException.class, "is not a namespace file");
    }

    @Test
    void userNamespaceWithoutMappings() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.namespace("user"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class,
                "linux.namespaces has a user namespace but linux.uidMappings is empty");
        Path noNs = Bundles.write(dir.resolve("n"), List.of("true"), s -> s.idMappings(
                List.of(new Spec.IdMapping(0, 100000, 10)), List.of(new Spec.IdMapping(0, 100000, 10))));
        failsCleanly(() -> f.runtime.create("x", noNs, f.stdio()), InvalidSpecException.class,
                "linux.uidMappings/gidMappings are set but linux.namespaces has no user namespace");
    }

    @Test
    void rootfsTheMappedRootCannotReach() throws Exception {
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path rootfs = io.berth.testkit.BusyboxRootfs.copyTo(locked.resolve("rootfs"));
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.rootPath(rootfs).namespace("user").idMappings(
                List.of(new Spec.IdMapping(0, 100000, 65536)), List.of(new Spec.IdMapping(0, 100000, 65536))));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), ChildSetupException.class,
                "bind " + rootfs + " on " + rootfs + ": Permission denied (in a user namespace the container's root is its mapped host user");
    }

    @Test
    void missingExecutable() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("/bin/nope"));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), ChildSetupException.class, "/bin/nope: No such file or directory");
    }

    @Test
    void invalidMemoryValues() throws Exception {
        Path negative = Bundles.write(dir.resolve("neg"), List.of("true"), s -> s.resources(
                // The builder refuses -5 itself; this checks the validator behind create.
                new Spec.Resources(null, new Spec.Memory(-5L, null, null, null, null, null, null, null, null), null, null, null, null, null, null, null)));
        failsCleanly(() -> f.runtime.create("x", negative, f.stdio()), InvalidSpecException.class, "memory.limit -5 is invalid");
        Path tiny = Bundles.write(dir.resolve("tiny"), List.of("true"), s -> s.memoryLimit(4096));
        failsCleanly(() -> f.runtime.create("x", tiny, f.stdio()), InvalidSpecException.class, "memoryLimit must be at least");
    }

    @Test
    void malformedConfigJson() throws Exception {
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(b.resolve("config.json"), "{\"process\": {\"args\": [\"sh\"],");
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, "malformed ");
    }

    @Test
    void invalidId() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        failsCleanly(() -> f.runtime.create("../escape", b, f.stdio()), ContainerException.class, "invalid container id '../escape'");
    }

    @Test
    void duplicateIdIsRefusedAndTheFirstContainerIsUntouched() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        Container first = f.runtime.create("dup", b, f.stdio());
        assertThatThrownBy(() -> f.runtime.create("dup", b, f.stdio())).isInstanceOf(ContainerException.class)
                .hasMessage("container 'dup' already exists: delete it first or choose another id");
        assertThat(f.runtime.state("dup").status()).isEqualTo(ContainerStatus.CREATED);
        f.runtime.start("dup");
        assertThat(first.waitFor().exitCode()).isZero();
        f.runtime.delete("dup", false);
    }

    @Test
    void sysctlsOutsideTheContainersNamespacesAreRefusedByName() throws Exception {
        Path hostWide = Bundles.write(dir.resolve("a"), List.of("true"),
                s -> s.sysctl(Map.of("kernel.pid_max", "4096")));
        failsCleanly(() -> f.runtime.create("x", hostWide, f.stdio()), InvalidSpecException.class,
                "linux.sysctl kernel.pid_max is not namespaced (it would change the host)");
        Path hostNet = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.withoutNamespace("network")
                .sysctl(Map.of("net.ipv4.ip_forward", "1")));
        failsCleanly(() -> f.runtime.create("x", hostNet, f.stdio()), InvalidSpecException.class,
                "linux.sysctl net.ipv4.ip_forward is not allowed in the host's network namespace: add {\"type\":\"network\"}");
        Path malformed = Bundles.write(dir.resolve("c"), List.of("true"),
                s -> s.sysctl(Map.of("net.ipv4/../../kernel.x", "1")));
        failsCleanly(() -> f.runtime.create("x", malformed, f.stdio()), InvalidSpecException.class,
                "sysctl key \"net.ipv4/../../kernel.x\" is malformed");
    }

    @Test
    void aSysctlTheKernelRejectsFailsCreateWithTheKeyAndErrno() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"),
                s -> s.sysctl(Map.of("net.ipv4.no_such_sysctl", "1")));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), ChildSetupException.class,
                "sysctl net.ipv4.no_such_sysctl=1: No such file or directory");
        Path bad = Bundles.write(dir.resolve("c"), List.of("true"),
                s -> s.sysctl(Map.of("net.ipv4.ip_forward", "yes")));
        failsCleanly(() -> f.runtime.create("x", bad, f.stdio()), ChildSetupException.class,
                "sysctl net.ipv4.ip_forward=yes: Invalid argument");
    }

    @Test
    void badDeviceEntriesAreRefusedByName() throws Exception {
        Object[][] cases = {
            {new Spec.Device("x", "/dev/a", 1L, 3L, null, null, null), "linux.devices: device /dev/a: device type 'x' is invalid: use c, b, u or p"},
            {new Spec.Device("c", "dev/a", 1L, 3L, null, null, null), "linux.devices: device path 'dev/a' must be an absolute path"},
            {new Spec.Device("b", "/dev/a", 8L, null, null, null, null), "linux.devices: device /dev/a of type b needs major and minor numbers"},
            {new Spec.Device("c", "/dev/a", 5000L, 1L, null, null, null), "linux.devices: device /dev/a 5000:1 is out of range"},
            {new Spec.Device("c", "/dev/a", 1L, 3L, null, -1L, null), "linux.devices: device /dev/a owner id -1 is invalid"},
        };
        int i = 0;
        for (Object[] c : cases) {
            Spec.Device d = (Spec.Device) c[0];
            Path b = Bundles.write(dir.resolve("b" + i++), List.of("true"), s -> s.devices(List.of(d)));
            failsCleanly(() -> f.runtime.create("x", b, f.stdio()), InvalidSpecException.class, (String) c[1]);
        }
    }

    @Test
    void aDeviceWhereADirectoryIsFailsCreate() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.devices(
                List.of(new Spec.Device("c", "/dev/pts", 1L, 3L, null, null, null))));
        failsCleanly(() -> f.runtime.create("x", b, f.stdio()), ChildSetupException.class, "mknod dev/pts: Is a directory");
    }
}
