package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.ChildSetupException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecBuilder;
import io.berth.testkit.Requirements;

/**
 * linux.namespaces entries with a path: the container's init is put into those namespaces (as
 * containerd's CRI does with a pod's sandbox namespaces), and creates the others.
 */
class NamespaceJoinTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();
    final List<Process> helpers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Requirements.command("unshare", "util-linux");
    }

    @AfterEach
    void tearDown() throws Exception {
        // Before the fixture's own teardown; its containers may hold these namespaces, not the reverse.
        for (Process p : helpers) {
            // unshare --fork: its child sleeps; kill both (the child first, or it is reparented and lives on).
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** `unshare FLAGS --fork sleep`, once its namespaces exist (unshare(2) runs after exec). */
    private long helper(String flags, String... nsNames) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("unshare"));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("--fork", "sleep", "600"));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start(); // no pipes to leak into later fd checks
        helpers.add(p);
        long pid = p.pid();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String ns : nsNames) {
                if (link(pid, ns).equals(link(ProcessHandle.current().pid(), ns))) {
                    return false;
                }
            }
            return p.descendants().findAny().isPresent();
        });
        return pid;
    }

    private static String link(long pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
    }

    /** Joins each namespace type of {@code paths} by its path (adding an entry for a type the default spec lacks: user). */
    private static Consumer<SpecBuilder> joining(Map<String, String> paths) {
        return b -> paths.forEach((type, path) -> b.joinNamespace(type, Path.of(path)));
    }

    @Test
    void joinsTheNetworkUtsAndIpcNamespacesOfAnotherProcessAndCreatesTheRest() throws Exception {
        long h = helper("--net --uts --ipc", "net", "uts", "ipc");
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "hostname; cat /proc/net/dev | grep -c :"), joining(Map.of(
                "network", "/proc/" + h + "/ns/net", "uts", "/proc/" + h + "/ns/uts", "ipc", "/proc/" + h + "/ns/ipc")));
        Container c = f.runtime.create("join", bundle, f.stdio());
        for (String ns : List.of("net", "uts", "ipc")) {
            assertThat(link(c.pid(), ns)).as(ns).isEqualTo(link(h, ns));
        }
        long self = ProcessHandle.current().pid();
        for (String ns : List.of("mnt", "pid")) {
            assertThat(link(c.pid(), ns)).as(ns + " is the container's own").isNotEqualTo(link(h, ns)).isNotEqualTo(link(self, ns));
        }
        f.runtime.start("join");
        assertThat(c.waitFor(Duration.ofSeconds(20)).orElseThrow().exitCode()).as(f.stderr()).isZero();
        // The hostname was set in the joined UTS namespace; the helper's new network namespace
        // has only lo, which Berth leaves as it found it (it brings lo up only in a namespace it created).
        assertThat(f.stdout()).isEqualTo("berth-test\n1\n");
    }

    @Test
    void joinsAUserNamespaceAndItsNetworkNamespaceAsAPodsContainerDoes() throws Exception {
        // A pod sandbox with hostUsers: false: a user namespace and a network namespace it owns;
        // the container joins both and creates the rest inside that user namespace. Its maps are
        // written here as a sandbox's runtime would, 65536 ids (devpts needs gid 5), identity so the
        // rootfs stays readable.
        long h = helper("--user --net", "user", "net");
        Files.writeString(Path.of("/proc/" + h + "/uid_map"), "0 0 65536");
        Files.writeString(Path.of("/proc/" + h + "/gid_map"), "0 0 65536");
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "cat /proc/self/uid_map; id -u; ls /dev/null"),
                joining(Map.of("user", "/proc/" + h + "/ns/user", "network", "/proc/" + h + "/ns/net")));
        Container c = f.runtime.create("juser", bundle, f.stdio());
        assertThat(link(c.pid(), "user")).isEqualTo(link(h, "user"));
        assertThat(link(c.pid(), "net")).isEqualTo(link(h, "net"));
        assertThat(link(c.pid(), "mnt")).isNotEqualTo(link(h, "mnt"));
        f.runtime.start("juser");
        assertThat(c.waitFor(Duration.ofSeconds(20)).orElseThrow().exitCode()).as(f.stderr()).isZero();
        assertThat(f.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList()).containsExactly("0 0 65536", "0", "/dev/null");
    }

    @Test
    void joinsANetworkNamespaceKeptByABindMountAsCniDoesAndACgroupNamespace() throws Exception {
        long h = helper("--net --cgroup", "net", "cgroup");
        Path netns = Files.createFile(dir.resolve("netns"));
        run("mount", "--bind", "/proc/" + h + "/ns/net", netns.toString());
        try {
            Path bundle = Bundles.write(dir.resolve("b"), List.of("true"), joining(Map.of(
                    "network", netns.toString(), "cgroup", "/proc/" + h + "/ns/cgroup")));
            Container c = f.runtime.create("cni", bundle, f.stdio());
            assertThat(link(c.pid(), "net")).isEqualTo(link(h, "net"));
            assertThat(link(c.pid(), "cgroup")).isEqualTo(link(h, "cgroup"));
        } finally {
            run("umount", netns.toString());
        }
    }

    @Test
    void aPidNamespaceWhoseInitExitedFailsCleanlyWithAReason() throws Exception {
        long h = helper("--pid", "pid_for_children");
        Path pidns = Files.createFile(dir.resolve("pidns"));
        run("mount", "--bind", "/proc/" + h + "/ns/pid_for_children", pidns.toString());
        try {
            // The bind mount keeps the namespace; its init (the helper's sleep) goes.
            Process p = helpers.remove(0);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Path bundle = Bundles.write(dir.resolve("b"), List.of("true"), joining(Map.of("pid", pidns.toString())));
            LeakSnapshot before = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
            assertThatThrownBy(() -> f.runtime.create("late", bundle, f.stdio())).isInstanceOf(ChildSetupException.class)
                    .hasMessageContaining("fork into the container's PID namespace: Cannot allocate memory (the namespace's init has exited");
            LeakSnapshot after = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
            assertThat(after.stateDirs()).as("state directories").isEmpty();
            assertThat(after.cgroupDirs()).as("cgroups").isEmpty();
            assertThat(after.fds()).as("open fds").isSubsetOf(before.fds());
            assertThat(after.children()).as("child processes").isEqualTo(before.children());
        } finally {
            run("umount", pidns.toString());
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.getInputStream().close();
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    @Test
    void execJoinsWhatTheInitJoined() throws Exception {
        long h = helper("--net", "net");
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "60"), joining(Map.of("network", "/proc/" + h + "/ns/net")));
        Container c = f.runtime.create("ex", bundle, f.stdio());
        f.runtime.start("ex");
        Spec.Process p = io.berth.runtime.oci.SpecJson.read(bundle.resolve("config.json")).process();
        Spec.Process exec = p.toBuilder().args("sleep", "30").build();
        try (ExecProcess e = f.runtime.exec("ex", exec, f.stdio(), false)) {
            assertThat(link(e.pid(), "net")).isEqualTo(link(h, "net"));
            assertThat(link(e.pid(), "mnt")).isEqualTo(link(c.pid(), "mnt"));
            f.runtime.kill("ex", io.berth.runtime.linux.Signals.SIGKILL, true);
            e.waitFor(Duration.ofSeconds(10)).orElseThrow();
        }
    }

    @Test
    void joinsAPidNamespaceAsAnOrdinaryMemberAndAMountNamespaceToSetTheRootfsUpIn() throws Exception {
        long h = helper("--pid --mount", "pid_for_children", "mnt");
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "echo pid=$$; ls /proc | grep -c '^[0-9]'"), joining(Map.of(
                "pid", "/proc/" + h + "/ns/pid_for_children", "mount", "/proc/" + h + "/ns/mnt")));
        Container c = f.runtime.create("pidjoin", bundle, f.stdio());
        assertThat(link(c.pid(), "pid")).isEqualTo(link(h, "pid_for_children"));
        assertThat(link(c.pid(), "mnt")).isEqualTo(link(h, "mnt"));
        f.runtime.start("pidjoin");
        assertThat(c.waitFor(Duration.ofSeconds(20)).orElseThrow().exitCode()).as(f.stderr()).isZero();
        // The helper's sleep is pid 1 there; the container's sh is another member, and the /proc
        // it mounted shows that namespace (sleep and sh at least), not the host's.
        List<String> lines = f.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("pid=").isNotEqualTo("pid=1");
        assertThat(Integer.parseInt(lines.get(1))).isBetween(2, 5);
    }
}
