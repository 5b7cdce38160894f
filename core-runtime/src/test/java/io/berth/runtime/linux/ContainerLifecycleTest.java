package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.OpenFds;
import io.berth.testkit.Requirements;

/** Exit statuses, create/start and setup errors of real containers; every test checks nothing leaked. */
@Timeout(60)
class ContainerLifecycleTest {
    @TempDir
    Path tmp;

    TestContainer container;
    List<String> mountsBefore;
    Set<String> fdsBefore;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
        mountsBefore = ContainerIsolationTest.mounts(tmp);
        fdsBefore = OpenFds.now();
    }

    @AfterEach
    void nothingLeaked() throws Exception {
        if (mountsBefore != null) {
            assertThat(ContainerIsolationTest.mounts(tmp)).isEqualTo(mountsBefore);
            assertThat(OpenFds.now()).as("open fds").isSubsetOf(fdsBefore);
            assertThat(LeakCheck.zombieChildren()).isEmpty();
        }
    }

    @Test
    void exitCodeOfTheContainer() throws Exception {
        assertThat(container.run(tmp, "exit 3").status()).isEqualTo(ExitStatus.exited(3));
    }

    @Test
    void sigkillGives137AndSigtermIsIgnoredByAnInitWithoutHandler() throws Exception {
        // As with docker stop: the kernel drops SIGTERM sent from outside to a PID-namespace init
        // that has no handler, so only SIGKILL ends it.
        try (ChildProcess c = Launcher.launch(container.plan(List.of("sleep", "100"), Stdio.nullStdio()))) {
            c.proceed();
            assertThat(c.waitFor(Duration.ofMillis(100))).isEmpty();
            c.kill(Signals.SIGTERM);
            assertThat(c.waitFor(Duration.ofMillis(200))).isEmpty();
            c.kill(Signals.SIGKILL);
            ExitStatus s = c.waitFor();
            assertThat(s.code()).isEqualTo(137);
            assertThat(s.signalName()).isEqualTo("SIGKILL");
        }
    }

    @Test
    void sigtermToANonInitProcessGives143() throws Exception {
        // Without a new PID namespace the process is not an init, so SIGTERM's default action applies
        // (a PID-namespace init can never die of a signal it has no handler for, even one it sends itself).
        LaunchPlan plan = container.plan(List.of("sleep", "100"), Stdio.nullStdio());
        plan = plan.withNewNamespaces(java.util.Set.of(Namespace.MOUNT, Namespace.UTS, Namespace.IPC, Namespace.NETWORK));
        try (ChildProcess c = Launcher.launch(plan)) {
            c.proceed();
            c.kill(Signals.SIGTERM);
            ExitStatus s = c.waitFor();
            assertThat(s.code()).isEqualTo(143);
            assertThat(s.signalName()).isEqualTo("SIGTERM");
        }
    }

    @Test
    void createThenStart() throws Exception {
        Path out = Files.createFile(tmp.resolve("out"));
        try (FileOutputStream o = new FileOutputStream(out.toFile())) {
            int fd = FdUtil.fdOf(out);
            LaunchPlan plan = container.plan(List.of("sh", "-c", "echo started $$"), new Stdio(-1, fd, fd))
                    .withStartGate(LaunchPlan.GATE_PIPE);
            try (ChildProcess c = Launcher.launch(plan)) {
                c.proceed();
                // Set up and waiting: not exited, nothing printed, its /proc shows it blocked in read.
                assertThat(c.waitFor(Duration.ofMillis(300))).isEmpty();
                assertThat(Files.readString(out)).isEmpty();
                assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/comm")).strip()).isEqualTo("java");
                c.start();
                assertThat(c.waitFor().code()).isZero();
            }
        }
        assertThat(Files.readString(out)).isEqualTo("started 1\n");
    }

    @Test
    void createThenCloseWithoutStartLeavesNothing() throws Exception {
        LaunchPlan plan = container.plan(List.of("true"), Stdio.nullStdio()).withStartGate(LaunchPlan.GATE_PIPE);
        ChildProcess c = Launcher.launch(plan);
        c.proceed();
        int pid = c.pid();
        c.close();
        assertThat(Path.of("/proc/" + pid)).doesNotExist();
    }

    @Test
    void missingExecutableFailsAtCreate() {
        LaunchPlan plan = container.plan(List.of("/bin/nope"), Stdio.nullStdio()).withStartGate(LaunchPlan.GATE_PIPE);
        try (ChildProcess c = Launcher.launch(plan)) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessage("execve /bin/nope: No such file or directory");
        }
    }

    @Test
    void missingRootfsNamesTheStep() {
        TestContainer bad = new TestContainer(tmp.resolve("no-such-rootfs"));
        try (ChildProcess c = Launcher.launch(bad.plan(List.of("true"), Stdio.nullStdio()))) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessage("bind " + tmp.resolve("no-such-rootfs") + " on " + tmp.resolve("no-such-rootfs")
                            + ": No such file or directory");
        }
    }

    @Test
    void rootfsThatIsAFileNamesTheStep() throws Exception {
        Path file = Files.writeString(tmp.resolve("rootfs-file"), "not a directory");
        TestContainer bad = new TestContainer(file);
        try (ChildProcess c = Launcher.launch(bad.plan(List.of("true"), Stdio.nullStdio()))) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessage("chdir " + file + ": Not a directory");
        }
    }

    @Test
    void rootfsThatIsNotAMountPointFailsPivotRootWithAHint() {
        // Skipping the bind-root step leaves the rootfs an ordinary directory: pivot_root refuses it.
        List<ChildOp> ops = List.of(ChildOp.Mount.propagation("/", MountFlags.REC | MountFlags.PRIVATE),
                new ChildOp.Chdir(BusyboxRootfs.path().toString()), new ChildOp.PivotRoot());
        LaunchPlan plan = LaunchPlan.of(List.of("true"), TestContainer.ENV, Stdio.nullStdio())
                .withNewNamespaces(java.util.Set.of(Namespace.MOUNT)).withSetup(ops);
        try (ChildProcess c = Launcher.launch(plan)) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessageMatching("pivot_root: (Invalid argument|Device or resource busy) \\(rootfs is not a mount point\\?\\)")
                    .satisfies(e -> assertThat(((ChildSetupException) e).step()).isEqualTo("pivot_root"));
        }
    }

    @Test
    void unknownMountOptionIsRejectedBeforeAnythingStarts() {
        var bad = new MountSpec("/data", "tmpfs", "tmpfs", List.of("nosuid", "bogus"));
        assertThatThrownBy(() -> RootfsSetup.prepare(container.rootfs, false, List.of(bad), List.of(), List.of(), null,
                false, false, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("mount /data: unknown mount option \"bogus\"");
    }
}
