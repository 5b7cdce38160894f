package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.Requirements;

/** The launcher without a rootfs: exit statuses, signals, the gate, exec errors. Host binaries. */
@Timeout(60)
class LauncherBasicsTest {
    private static final List<String> ENV = List.of("PATH=/usr/bin:/bin");

    @TempDir
    Path tmp;

    @BeforeEach
    void root() {
        Requirements.root();
    }

    private LaunchPlan sh(String script) {
        return LaunchPlan.of(List.of("/bin/sh", "-c", script), ENV, Stdio.nullStdio());
    }

    @Test
    void exitCodeIsReported() {
        try (ChildProcess c = Launcher.launch(sh("exit 3"))) {
            c.proceed();
            assertThat(c.waitFor()).isEqualTo(ExitStatus.exited(3));
            assertThat(c.waitFor()).isEqualTo(ExitStatus.exited(3));
        }
    }

    @Test
    void sigtermGives143WithItsName() {
        try (ChildProcess c = Launcher.launch(sh("exec sleep 100"))) {
            c.proceed();
            assertThat(c.waitFor(Duration.ofMillis(50))).isEmpty();
            c.kill(Signals.SIGTERM);
            ExitStatus s = c.waitFor();
            assertThat(s.code()).isEqualTo(143);
            assertThat(s.signal()).isEqualTo(15);
            assertThat(s.signalName()).isEqualTo("SIGTERM");
        }
    }

    @Test
    void sigkillGives137() {
        try (ChildProcess c = Launcher.launch(sh("exec sleep 100"))) {
            c.proceed();
            c.kill(Signals.number("KILL"));
            assertThat(c.waitFor().code()).isEqualTo(137);
        }
    }

    @Test
    void forkStyleCloneWorksToo() {
        try (ChildProcess c = Launcher.launch(sh("exit 7").withShareMemory(false))) {
            c.proceed();
            assertThat(c.waitFor().code()).isEqualTo(7);
        }
    }

    @Test
    void envIsExactlyThePlansAndStdoutGoesToTheGivenFd() throws Exception {
        Path out = tmp.resolve("out");
        try (FileOutputStream fos = new FileOutputStream(out.toFile())) {
            int fd = FdUtil.fdOf(out);
            LaunchPlan plan = LaunchPlan.of(List.of("env"), List.of("PATH=/usr/bin:/bin", "A=b c"), new Stdio(-1, fd, fd));
            try (ChildProcess c = Launcher.launch(plan)) {
                c.proceed();
                assertThat(c.waitFor().code()).isZero();
            }
        }
        assertThat(Files.readAllLines(out)).containsExactly("PATH=/usr/bin:/bin", "A=b c");
    }

    @Test
    void gateHoldsTheChildUntilStart() throws Exception {
        Path marker = tmp.resolve("ran");
        LaunchPlan plan = sh("touch " + marker).withStartGate(LaunchPlan.GATE_PIPE);
        try (ChildProcess c = Launcher.launch(plan)) {
            c.proceed();
            Thread.sleep(200);
            assertThat(marker).doesNotExist();
            assertThat(c.poll()).isEmpty();
            c.start();
            assertThat(c.waitFor().code()).isZero();
            assertThat(marker).exists();
        }
    }

    @Test
    void missingExecutableFailsProceedWithoutGate() {
        try (ChildProcess c = Launcher.launch(LaunchPlan.of(List.of("/bin/nope"), ENV, Stdio.nullStdio()))) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessage("execve /bin/nope: No such file or directory");
        }
    }

    @Test
    void missingExecutableFailsStartWithGate() {
        LaunchPlan plan = LaunchPlan.of(List.of("nope-not-here"), ENV, Stdio.nullStdio()).withStartGate(LaunchPlan.GATE_PIPE);
        try (ChildProcess c = Launcher.launch(plan)) {
            c.proceed();
            assertThatThrownBy(c::start).isInstanceOf(ChildSetupException.class)
                    .hasMessage("execve nope-not-here: No such file or directory");
        }
    }

    @Test
    void checkExecutableFailsBeforeTheGate() {
        LaunchPlan plan = LaunchPlan.of(List.of("/bin/nope"), ENV, Stdio.nullStdio())
                .withSetup(List.of(new ChildOp.CheckExecutable("/bin/nope", "/bin")))
                .withStartGate(LaunchPlan.GATE_PIPE);
        try (ChildProcess c = Launcher.launch(plan)) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessage("execve /bin/nope: No such file or directory")
                    .satisfies(e -> assertThat(((ChildSetupException) e).errno()).isEqualTo(2));
        }
    }

    @Test
    void creatingABindTargetLeavesAnExistingFileOfAnOverlayInItsLowerLayer() throws Exception {
        // A pod container's /etc/hostname is a file bind onto the image's own file: opening that for
        // writing would copy it up into the container's upper directory, 1.5-2 ms of every launch.
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        Files.writeString(lower.resolve("hostname"), "image\n");
        assertThat(new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, merged.toString()).start().waitFor()).isZero();
        try {
            LaunchPlan plan = sh("true").withSetup(List.of(new ChildOp.Touch(merged.resolve("hostname").toString()),
                    new ChildOp.Touch(merged.resolve("hosts").toString())));
            try (ChildProcess c = Launcher.launch(plan)) {
                c.proceed();
                assertThat(c.waitFor()).isEqualTo(ExitStatus.exited(0));
            }
            assertThat(upper.resolve("hostname")).doesNotExist();
            assertThat(Files.readString(merged.resolve("hostname"))).isEqualTo("image\n");
            assertThat(upper.resolve("hosts")).isEmptyFile(); // a missing target is still created
        } finally {
            new ProcessBuilder("umount", merged.toString()).start().waitFor();
        }
    }

    @Test
    void aChildStuckInSetupCanBeKilledWhileProceedWaits() throws Exception {
        // Creating a file on a FIFO blocks in open() until a reader comes: a setup step that hangs.
        Path fifo = tmp.resolve("hang.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        LaunchPlan plan = sh("true").withSetup(List.of(new ChildOp.Touch(fifo.toString())));
        try (ChildProcess c = Launcher.launch(plan)) {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                c.kill(Signals.SIGKILL);
            });
            killer.start();
            long t0 = System.nanoTime();
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessageContaining("died during setup").hasMessageContaining("SIGKILL");
            assertThat(System.nanoTime() - t0).isGreaterThan(250_000_000L);
            killer.join();
            assertThat(c.waitFor().code()).isEqualTo(137);
        }
    }

    @Test
    void closeBeforeProceedKillsAndReaps() {
        ChildProcess c = Launcher.launch(sh("exit 0").withNewNamespaces(Set.of(Namespace.PID)));
        c.close();
        assertThatThrownBy(c::proceed).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mountsWithoutMountNamespaceAreRefused() {
        LaunchPlan plan = sh("true").withSetup(List.of(new ChildOp.Mount("tmpfs", "/mnt", "tmpfs", 0, null)));
        assertThatThrownBy(() -> Launcher.launch(plan)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mount namespace");
    }
}
