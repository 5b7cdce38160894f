package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * process.terminal as runc does it: a pty from the container's own devpts, its master sent over a
 * console socket (the library's socketpair or a caller's listening socket), the slave as the
 * process's controlling terminal and stdio; for a container and for an exec into one.
 */
@Timeout(60)
class TerminalTest {
    static final String PROBE = "tty; stty size; [ -t 0 ] && echo interactive";

    @TempDir
    Path tmp;

    TestContainer container;
    List<String> fdsBefore;

    @BeforeEach
    void setUp() throws IOException {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
        NativeLibrary.get(); // loaded once, so its fds do not count as a leak
        fdsBefore = launcherKindsOfFds();
    }

    @AfterEach
    void nothingLeaked() throws IOException {
        if (container != null) {
            // A subset: the JDK may close one of its own meanwhile, but nothing may be added.
            assertThat(launcherKindsOfFds()).as("sockets, pipes, ptys and pidfds open after the test")
                    .isSubsetOf(fdsBefore);
            assertThat(LeakCheck.zombieChildren()).isEmpty();
        }
    }

    @Test
    void containerGetsAControllingTerminalOfTheGivenSize() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(24, 80);
        String script = PROBE + "; stat -c '%t:%T' /dev/console $(tty)";
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", script), Stdio.nullStdio())
                .withStartGate(LaunchPlan.GATE_PIPE))) {
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            assertThat(master.name()).isEqualTo("/dev/pts/0");
            c.start();
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
            // /dev/console is the same pty (major 136 = 0x88), as runc binds it.
            assertThat(lines(drain(master))).containsExactly("/dev/pts/0", "24 80", "interactive", "88:0", "88:0");
        }
    }

    @Test
    void inputWrittenToTheMasterReachesTheProcess() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", "read line; echo got:$line"),
                Stdio.nullStdio()))) {
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            master.output().write("hello pty\n".getBytes(StandardCharsets.UTF_8));
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
            // The line discipline echoes the input, then the process answers.
            assertThat(lines(drain(master))).containsExactly("hello pty", "got:hello pty");
        }
    }

    @Test
    void resizeAndCtrlCReachTheProcess() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(10, 20);
        String script = "trap 'stty size; exit 7' WINCH; echo ready; while :; do sleep 0.05; done";
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", script), Stdio.nullStdio()))) {
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            InputStream in = master.input();
            assertThat(readUntil(in, "ready")).contains("ready");
            master.resize(33, 99);
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(7));
            assertThat(lines(drain(master))).containsExactly("33 99");
        }
        // ^C: the line discipline signals the terminal's foreground process group (the shell and its sleep).
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        script = "trap 'echo interrupted; exit 3' INT; echo ready; sleep 100";
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", script), Stdio.nullStdio()))) {
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            InputStream in = master.input();
            assertThat(readUntil(in, "ready")).contains("ready");
            Thread.sleep(100); // let sh start sleep
            master.output().write(3);
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(3));
            assertThat(drain(master)).contains("interrupted");
        }
    }

    @Test
    void theSlaveBelongsToTheProcessUserAndTheTtyGroup() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        container.user = new ProcessSetup.User(1000, 1000, List.of(), 0022);
        container.caps = ProcessSetup.Capabilities.of(Set.of());
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", "id -u; stat -c '%u %g %a' $(tty)"),
                Stdio.nullStdio()))) {
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
            assertThat(lines(drain(master))).containsExactly("1000", "1000 5 620");
        }
    }

    @Test
    void aUserNamespacedContainerGetsATerminalOwnedInsideIt() throws Exception {
        // As NamespaceTest's user-namespace test: root inside is 200000 outside, the rootfs copy chowned to it.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        assertThat(new ProcessBuilder("chown", "-R", "-h", "200000:200000", rootfs.toString()).start().waitFor()).isZero();
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Set<Namespace> ns = EnumSet.of(Namespace.USER, Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
                Namespace.NETWORK); // sysfs may only be mounted by the owner of the network namespace
        List<ChildOp> ops = new ArrayList<>(RootfsSetup.prepare(rootfs, false, RootfsSetup.defaultMounts(),
                RootfsSetup.DEFAULT_MASKED_PATHS, RootfsSetup.DEFAULT_READONLY_PATHS, "userns", false, true, null));
        List<String> argv = List.of("sh", "-c", PROBE + "; id -u; stat -c '%u %g' $(tty)");
        ops.addAll(ProcessSetup.prepare(new ProcessSetup.User(1000, 1000, List.of(), 0022),
                ProcessSetup.Capabilities.of(Set.of()), true, List.of(), "/", argv, "/bin",
                ProcessSetup.Terminal.forContainer(24, 80)));
        LaunchPlan plan = LaunchPlan.of(argv, TestContainer.ENV, Stdio.nullStdio()).withNewNamespaces(ns)
                .withSetup(ops).withConsoleSocket(LaunchPlan.CONSOLE_PAIR);
        try (ChildProcess c = Launcher.launch(plan)) {
            Files.writeString(Path.of("/proc/" + c.pid() + "/uid_map"), "0 200000 65536\n");
            Files.writeString(Path.of("/proc/" + c.pid() + "/gid_map"), "0 200000 65536\n");
            c.proceed();
            TerminalMaster master = c.terminal().orElseThrow();
            assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
            assertThat(lines(drain(master))).containsExactly("/dev/pts/0", "24 80", "interactive", "1000", "1000 5");
        }
    }

    /** Output written just before exit must not be lost to the hangup (the master reads it, then EIO). */
    @Test
    void everyRunsOutputArrivesBeforeTheHangup() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        LaunchPlan plan = container.plan(List.of("/bin/echo", "last words"), Stdio.nullStdio())
                .withNewNamespaces(Set.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC));
        plan = plan.withSetup(plan.setup().stream().filter(op -> !(op instanceof ChildOp.LoopbackUp)).toList());
        for (int i = 0; i < 200; i++) {
            try (ChildProcess c = Launcher.launch(plan)) {
                c.proceed();
                assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
                assertThat(drain(c.terminal().orElseThrow())).as("run %d", i).isEqualTo("last words\r\n");
            }
        }
    }

    /** The CLI's way: the caller listens, the runtime connects (--console-socket) and the child sends there. */
    @Test
    void masterGoesToAListeningConsoleSocket() throws Exception {
        try (ConsoleSocket listener = ConsoleSocket.listen(tmp.resolve("console.sock"))) {
            int fd = Console.connect(listener.path());
            container.terminal = ProcessSetup.Terminal.forContainer(40, 120);
            container.consoleSocket = fd;
            try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/sh", "-c", PROBE), Stdio.nullStdio())
                    .withStartGate(LaunchPlan.GATE_PIPE))) {
                new NativeCalls().close(fd); // the child has its own copy, as after `create` exits
                c.proceed();
                assertThat(c.terminal()).isEmpty();
                try (TerminalMaster master = listener.accept(Duration.ofSeconds(5))) {
                    assertThat(master.name()).isEqualTo("/dev/pts/0");
                    c.start();
                    assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
                    assertThat(lines(drain(master))).containsExactly("/dev/pts/0", "40 120", "interactive");
                }
            }
        }
    }

    @Test
    void execIntoARunningContainerGetsATerminalFromItsDevpts() throws Exception {
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        try (ChildProcess first = Launcher.launch(container.plan(List.of("sleep", "100"), Stdio.nullStdio()))) {
            first.proceed();
            assertThat(first.terminal()).isPresent();
            String ns = "/proc/" + first.pid() + "/ns/";
            Map<Namespace, Path> join = Map.of(Namespace.PID, Path.of(ns + "pid"), Namespace.MOUNT, Path.of(ns + "mnt"),
                    Namespace.UTS, Path.of(ns + "uts"), Namespace.IPC, Path.of(ns + "ipc"),
                    Namespace.NETWORK, Path.of(ns + "net"));
            List<String> argv = List.of("sh", "-c", PROBE + "; hostname; ls -1 /dev/pts; stat -c '%t:%T' /dev/console;"
                    + " grep -c ' /dev/console ' /proc/self/mountinfo");
            LaunchPlan exec = LaunchPlan.of(argv, TestContainer.ENV, Stdio.nullStdio())
                    .withJoinNamespaces(join)
                    .withSetup(ProcessSetup.prepare(ProcessSetup.User.root(),
                            ProcessSetup.Capabilities.of(Capability.dockerDefaults()), true, List.of(), "/", argv, "/bin",
                            ProcessSetup.Terminal.forExec(25, 81)))
                    .withConsoleSocket(LaunchPlan.CONSOLE_PAIR);
            try (ChildProcess c = Launcher.launch(exec)) {
                c.proceed();
                TerminalMaster master = c.terminal().orElseThrow();
                assertThat(c.waitFor(Duration.ofSeconds(20))).contains(ExitStatus.exited(0));
                // The container's own devpts instance: pts 0 is its first process's terminal (still
                // /dev/console, bound once), this exec gets pts 1.
                assertThat(lines(drain(master))).containsExactly("/dev/pts/1", "25 81", "interactive", "berth-test",
                        "0", "1", "ptmx", "88:0", "1");
            }
            first.kill(Signals.SIGKILL);
            assertThat(first.waitFor().code()).isEqualTo(137);
        }
    }

    @Test
    void connectingToASocketNobodyListensOnSaysSo() throws Exception {
        Path missing = tmp.resolve("missing.sock");
        assertThatThrownBy(() -> Console.connect(missing))
                .isInstanceOf(ChildSetupException.class)
                .hasMessage("console socket " + missing + ": No such file or directory (is the caller listening?)");
        Path stale = tmp.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        } // closed, the file stays: nobody listens
        assertThatThrownBy(() -> Console.connect(stale))
                .hasMessage("console socket " + stale + ": Connection refused (is the caller listening?)");
        Path tooLong = tmp.resolve("x".repeat(120));
        assertThatThrownBy(() -> Console.connect(tooLong)).hasMessageEndingWith(
                "File name too long (a socket path must be shorter than 108 bytes: use a shorter path)");
    }

    @Test
    void aListenerGivesUpWithTheReason() throws Exception {
        Path path = tmp.resolve("wait.sock");
        try (ConsoleSocket listener = ConsoleSocket.listen(path)) {
            assertThatThrownBy(() -> listener.accept(Duration.ofMillis(100)))
                    .hasMessage("console socket " + path + ": no runtime connected within 100 ms");
            int silent = Console.connect(path);
            try {
                assertThatThrownBy(() -> listener.accept(Duration.ofMillis(100)))
                        .hasMessage("console socket: no terminal arrived within 100 ms");
            } finally {
                new NativeCalls().close(silent);
            }
            new NativeCalls().close(Console.connect(path)); // connects, then hangs up without a terminal
            assertThatThrownBy(() -> listener.accept(Duration.ofSeconds(5)))
                    .hasMessage("console socket: the other end closed it without sending a terminal (did the"
                            + " container's setup fail before its terminal step?)");
            assertThatThrownBy(() -> ConsoleSocket.listen(path))
                    .hasMessage("console socket " + path + ": cannot listen: Address already in use (the path exists:"
                            + " remove the stale socket or choose another)");
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void aListenerThatWentAwayFailsTheTerminalStep() throws Exception {
        int fd;
        try (ConsoleSocket listener = ConsoleSocket.listen(tmp.resolve("gone.sock"))) {
            fd = Console.connect(listener.path());
        } // closed before accepting: the queued connection is reset
        try {
            container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
            container.consoleSocket = fd;
            try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/true"), Stdio.nullStdio()))) {
                assertThatThrownBy(c::proceed)
                        .isInstanceOf(ChildSetupException.class)
                        .hasMessageStartingWith("set up the terminal: ")
                        .hasMessageEndingWith("(nobody reads the console socket: the caller must accept and receive the master)");
            }
        } finally {
            new NativeCalls().close(fd);
        }
    }

    @Test
    void aContainerWithoutDevptsFailsWithAHint() throws Exception {
        container.mounts = List.of(RootfsSetup.defaultMounts().get(0)); // only /proc: no /dev/ptmx
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        try (ChildProcess c = Launcher.launch(container.plan(List.of("/bin/true"), Stdio.nullStdio()))) {
            assertThatThrownBy(c::proceed).isInstanceOf(ChildSetupException.class).hasMessage(
                    "set up the terminal: No such file or directory (the container needs devpts on /dev/pts with"
                            + " ptmxmode=0666 and /dev/ptmx -> pts/ptmx)");
            assertThat(c.terminal()).isEmpty();
        }
    }

    @Test
    void aTerminalNeedsASocketAndTheReverse() {
        LaunchPlan noTerminal = container.plan(List.of("/bin/true"), Stdio.nullStdio());
        assertThatThrownBy(() -> Launcher.launch(noTerminal.withConsoleSocket(LaunchPlan.CONSOLE_PAIR)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the plan has a console socket but no terminal step");
        container.terminal = ProcessSetup.Terminal.forContainer(0, 0);
        LaunchPlan terminal = container.plan(List.of("/bin/true"), Stdio.nullStdio());
        assertThatThrownBy(() -> Launcher.launch(terminal.withConsoleSocket(LaunchPlan.NO_CONSOLE)))
                .hasMessageStartingWith("setup step \"set up the terminal\" has nowhere to send the pty master");
        assertThatThrownBy(() -> ProcessSetup.Terminal.forContainer(70000, 80))
                .hasMessage("console size 70000x80 is out of range: height and width must be 0..65535");
        assertThatThrownBy(() -> noTerminal.withConsoleSocket(-3)).hasMessageStartingWith("consoleSocketFd -3 is invalid");
    }

    /**
     * Open fds except what the JDK and the fixtures open and close on their own (jars, the module
     * image, random devices, directory streams over /proc): what remains is what a launch could leak
     * (sockets, pipes, pidfds, pty masters, which show as "/ptmx" once their mount namespace is gone).
     */
    static List<String> launcherKindsOfFds() throws IOException {
        return FdUtil.fdTargets().stream().filter(t -> {
            String target = t.substring(t.indexOf(" -> ") + 4);
            return !(target.endsWith(".jar") || target.endsWith("/lib/modules") || target.startsWith("/proc/")
                    || target.equals("/dev/random") || target.equals("/dev/urandom"));
        }).toList();
    }

    /** Everything the master yields until the slave side is gone (the process exited). */
    static String drain(TerminalMaster master) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        master.input().transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256];
        while (!sb.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The terminal turns "\n" into "\r\n" (onlcr). */
    static List<String> lines(String s) {
        return s.lines().map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l).toList();
    }

    /** Closes a raw fd the test itself was handed. */
    static final class NativeCalls {
        void close(int fd) {
            NativeLibrary.get().lib.berth_close(fd);
        }
    }
}
