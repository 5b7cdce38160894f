package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/** Joining a running container's namespaces (exec), the cgroup namespace, the FIFO start gate, user namespaces. */
@Timeout(60)
class NamespaceTest {
    @TempDir
    Path tmp;

    TestContainer container;

    @BeforeEach
    void setUp() {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
    }

    @Test
    void execJoinsARunningContainersNamespaces() throws Exception {
        container.hostname = "first";
        try (ChildProcess first = Launcher.launch(container.plan(List.of("sleep", "100"), Stdio.nullStdio()))) {
            first.proceed();
            String ns = "/proc/" + first.pid() + "/ns/";
            Map<Namespace, Path> join = Map.of(Namespace.MOUNT, Path.of(ns + "mnt"), Namespace.UTS, Path.of(ns + "uts"),
                    Namespace.IPC, Path.of(ns + "ipc"), Namespace.NETWORK, Path.of(ns + "net"));
            // /proc is the first container's (its PID namespace is not joined), so /proc/self does not resolve.
            List<String> argv = List.of("sh", "-c", "hostname; ls /sys/class/net; readlink /proc/1/exe; ls / | grep -c bin");
            LaunchPlan exec = LaunchPlan.of(argv, TestContainer.ENV, Stdio.nullStdio())
                    .withJoinNamespaces(join)
                    .withSetup(ProcessSetup.prepare(ProcessSetup.User.root(),
                            ProcessSetup.Capabilities.of(Capability.dockerDefaults()), true, List.of(), "/", argv, "/bin"));
            var r = new TestContainer(container.rootfs).run(tmp, argv, p -> exec.withStdio(p.stdio()));
            assertThat(r.status().code()).as(r.err()).isZero();
            // The first container's hostname, network (only lo), processes and root (bin and sbin).
            assertThat(r.lines()).containsExactly("first", "lo", "/bin/busybox", "2");
            first.kill(Signals.SIGKILL);
            assertThat(first.waitFor().code()).isEqualTo(137);
        }
    }

    @Test
    void execJoinsTheRunningContainersPidNamespaceToo() throws Exception {
        try (ChildProcess first = Launcher.launch(container.plan(List.of("sleep", "100"), Stdio.nullStdio()))) {
            first.proceed();
            String ns = "/proc/" + first.pid() + "/ns/";
            Map<Namespace, Path> join = Map.of(Namespace.PID, Path.of(ns + "pid"), Namespace.MOUNT, Path.of(ns + "mnt"),
                    Namespace.UTS, Path.of(ns + "uts"), Namespace.IPC, Path.of(ns + "ipc"),
                    Namespace.NETWORK, Path.of(ns + "net"));
            List<String> argv = List.of("sh", "-c", "echo $$; ps -o pid,comm | grep -v PID; readlink /proc/self/ns/pid; exit 5");
            LaunchPlan exec = LaunchPlan.of(argv, TestContainer.ENV, Stdio.nullStdio())
                    .withJoinNamespaces(join).withShareMemory(false)
                    .withSetup(ProcessSetup.prepare(ProcessSetup.User.root(),
                            ProcessSetup.Capabilities.of(Capability.dockerDefaults()), true, List.of(), "/", argv, "/bin"));
            var r = new TestContainer(container.rootfs).run(tmp, argv, p -> exec.withStdio(p.stdio()));
            assertThat(r.status()).as(r.err()).isEqualTo(ExitStatus.exited(5));
            List<String> lines = r.lines();
            int execPid = Integer.parseInt(lines.get(0));
            assertThat(execPid).isBetween(2, 20);
            assertThat(lines.subList(1, lines.size() - 1)).extracting(String::trim)
                    .contains("1 sleep", execPid + " sh");
            assertThat(lines.get(lines.size() - 1)).isEqualTo(Files.readSymbolicLink(Path.of(ns + "pid")).toString());
        }
        assertThat(LeakCheck.zombieChildren()).isEmpty();
    }

    @Test
    void execIntoAPidNamespaceCanBeSignalledAndWaitedFor() throws Exception {
        try (ChildProcess first = Launcher.launch(container.plan(List.of("sleep", "100"), Stdio.nullStdio()))) {
            first.proceed();
            String ns = "/proc/" + first.pid() + "/ns/";
            List<String> argv = List.of("sleep", "50");
            LaunchPlan exec = LaunchPlan.of(argv, TestContainer.ENV, Stdio.nullStdio())
                    .withJoinNamespaces(Map.of(Namespace.PID, Path.of(ns + "pid"), Namespace.MOUNT, Path.of(ns + "mnt")))
                    .withSetup(List.of(new ChildOp.CheckExecutable("sleep", "/bin")))
                    .withStartGate(LaunchPlan.GATE_PIPE);
            try (ChildProcess c = Launcher.launch(exec)) {
                int intermediate = c.pid();
                c.proceed();
                assertThat(c.pid()).isNotEqualTo(intermediate);
                assertThat(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/pid")))
                        .isEqualTo(Files.readSymbolicLink(Path.of(ns + "pid")));
                c.start();
                assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/comm")).strip()).isEqualTo("sleep");
                c.kill(Signals.SIGTERM); // not the namespace's init: the default action applies
                assertThat(c.waitFor()).isEqualTo(ExitStatus.killed(15, false));
            }
        }
        assertThat(LeakCheck.zombieChildren()).isEmpty();
    }

    @Test
    void cgroupNamespaceIsRootedAtTheChildsCgroup() throws Exception {
        LaunchPlan[] plan = new LaunchPlan[1];
        var r = container.run(tmp, List.of("cat", "/proc/self/cgroup"), p -> {
            Set<Namespace> ns = EnumSet.copyOf(p.newNamespaces());
            ns.add(Namespace.CGROUP);
            plan[0] = p.withNewNamespaces(ns);
            return plan[0];
        });
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(":/"));
        assertThat(plan[0].setup()).noneMatch(op -> op instanceof ChildOp.Unshare);
        assertThat(Launcher.program(plan[0]).get(0)).isEqualTo(new ChildOp.Unshare(Set.of(Namespace.CGROUP)));
        // Without the namespace the child sees the JVM's own cgroup paths.
        var host = container.run(tmp, List.of("cat", "/proc/self/cgroup"), p -> p);
        assertThat(host.lines()).isEqualTo(Files.readAllLines(Path.of("/proc/self/cgroup")));
    }

    @Test
    void fifoStartGateIsReleasedByAnotherWriter() throws Exception {
        Path fifo = tmp.resolve("exec.fifo");
        Process mk = new ProcessBuilder("mkfifo", "-m", "0600", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        Path marker = tmp.resolve("marker");
        try (RandomAccessFile gate = new RandomAccessFile(fifo.toFile(), "rw")) {
            int fd = FdUtil.fdOf(fifo);
            LaunchPlan plan = LaunchPlan.of(List.of("/bin/sh", "-c", "touch " + marker), List.of("PATH=/usr/bin:/bin"),
                    Stdio.nullStdio()).withNewNamespaces(Set.of(Namespace.PID)).withStartGate(fd).withShareMemory(false);
            try (ChildProcess c = Launcher.launch(plan)) {
                c.proceed();
                assertThat(c.waitFor(Duration.ofMillis(200))).isEmpty();
                assertThat(marker).doesNotExist();
                // What `berth-runtime start` does from another process: write one byte into the FIFO.
                Files.write(fifo, new byte[] {0});
                assertThat(c.waitFor(Duration.ofSeconds(10))).contains(ExitStatus.exited(0));
            }
        }
        assertThat(marker).exists();
    }

    @Test
    void userNamespaceWithMapsWrittenBetweenCreateAndGo() throws Exception {
        // Root inside maps to an unprivileged range outside; the rootfs copy is chowned to it and the
        // temp dir above it made traversable, as /var/lib/berth/containers would be.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        Process chown = new ProcessBuilder("chown", "-R", "-h", "200000:200000", rootfs.toString()).start();
        assertThat(chown.waitFor()).isZero();
        Files.setPosixFilePermissions(rootfs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Set<Namespace> ns = EnumSet.of(Namespace.USER, Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
                Namespace.NETWORK);
        List<ChildOp> ops = new ArrayList<>(RootfsSetup.prepare(rootfs, false, RootfsSetup.defaultMounts(),
                RootfsSetup.DEFAULT_MASKED_PATHS, RootfsSetup.DEFAULT_READONLY_PATHS, "userns", true, true, null));
        List<String> argv = List.of("sh", "-c", "id -u; cat /proc/self/uid_map; hostname; echo $$");
        ops.addAll(ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(Capability.dockerDefaults()),
                true, List.of(), "/", argv, "/bin"));
        Path out = Files.createFile(tmp.resolve("out"));
        try (var o = new java.io.FileOutputStream(out.toFile())) {
            int fd = FdUtil.fdOf(out);
            LaunchPlan plan = LaunchPlan.of(argv, TestContainer.ENV, new Stdio(-1, fd, fd)).withNewNamespaces(ns)
                    .withSetup(ops);
            try (ChildProcess c = Launcher.launch(plan)) {
                Files.writeString(Path.of("/proc/" + c.pid() + "/uid_map"), "0 200000 65536\n");
                Files.writeString(Path.of("/proc/" + c.pid() + "/gid_map"), "0 200000 65536\n");
                c.proceed();
                assertThat(c.waitFor().code()).as(Files.readString(out)).isZero();
            }
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("0");
        assertThat(lines.get(1).trim().split("\\s+")).containsExactly("0", "200000", "65536");
        assertThat(lines.subList(2, 4)).containsExactly("userns", "1");
    }
}
