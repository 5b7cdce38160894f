package io.berth.shell.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.shell.it.ConsoleProcess.Result;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * A real daemon, started as a user starts it ({@code bin/berth daemon}), on its own temporary state
 * root (holding the busybox image), an ephemeral port and its own pod cgroup parent. On close its
 * pods are deleted, the daemon is stopped and everything it made is removed, also when the test
 * failed.
 */
final class TestDaemon implements AutoCloseable {
    final Path dir;
    final Path home;
    private Process process;
    /** Daemons killed by {@link #killAndRestart}: their subreapers linger while containers they adopted live. */
    private final List<Process> killed = new ArrayList<>();
    private final String cgroupParent;

    TestDaemon() throws Exception {
        Requirements.root();
        dir = Files.createTempDirectory("berth-shell-it");
        home = dir.resolve("state");
        cgroupParent = "/berth-shell-it-" + ProcessHandle.current().pid() + "-" + dir.getFileName();
        Process started = null;
        try {
            Path tar = dir.resolve("busybox.tar");
            Process tarring = new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".")
                    .redirectErrorStream(true).start();
            if (!tarring.waitFor(60, TimeUnit.SECONDS) || tarring.exitValue() != 0) {
                throw new AssertionError("tar of the busybox rootfs failed");
            }
            new ImageStore(home).importRootfs(tar, "busybox", Progress.NONE);
            Files.delete(tar);
            Process[] made = new Process[1];
            try {
                started = startDaemon(made);
            } finally {
                started = made[0];
            }
        } catch (Exception | AssertionError e) {
            stop(started);
            deleteTree(dir);
            throw e;
        }
        process = started;
    }

    /** Starts bin/berth daemon and waits for its kubeconfig; {@code out[0]} is the process, also when it failed. */
    private Process startDaemon(Process[] out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ConsoleProcess.CHECKOUT.resolve("bin/berth").toString(), "daemon", "--port", "0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile()));
        pb.environment().put("BERTH_HOME", home.toString());
        // Spring's relaxed binding of berth.node.cgroup-parent: this test's pods in their own cgroups.
        pb.environment().put("BERTH_NODE_CGROUPPARENT", cgroupParent);
        // No bridge on the machine's real network from a test: pods get only lo here.
        pb.environment().put("BERTH_NETWORK_MODE", "none");
        Process started = pb.start();
        out[0] = started;
        long deadline = System.currentTimeMillis() + 180_000;
        while (!Files.isRegularFile(home.resolve("kubeconfig"))) {
            if (!started.isAlive()) {
                throw new AssertionError("the daemon exited with " + started.exitValue() + ":\n" + log());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the daemon wrote no kubeconfig within 180 s:\n" + log());
            }
            Thread.sleep(100);
        }
        return started;
    }

    /**
     * SIGKILLs the daemon's JVM (its berth-subreaper stays, keeping the exits of the containers and
     * monitors it inherits) and starts a new daemon on the same state root, as after a crash.
     */
    void killAndRestart() throws Exception {
        ProcessHandle jvm = process.children().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst()
                .orElseThrow(() -> new AssertionError("no daemon JVM under " + process.pid()));
        Files.delete(home.resolve("kubeconfig")); // the next daemon writes it again once its API listens (another port)
        new ProcessBuilder("kill", "-KILL", Long.toString(jvm.pid())).start().waitFor();
        jvm.onExit().get(30, TimeUnit.SECONDS);
        killed.add(process);
        Process[] started = new Process[1];
        try {
            process = startDaemon(started);
        } catch (Exception | AssertionError e) {
            process = started[0];
            throw e;
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("daemon.log"));
        } catch (IOException e) {
            return "<no log: " + e + ">";
        }
    }

    Result berth(String... args) {
        return ConsoleProcess.run(home, null, args);
    }

    /** {@code berth ARGS}, which must succeed: its output, or an assertion failure showing all it printed. */
    Result ok(String... args) {
        Result r = berth(args);
        org.assertj.core.api.Assertions.assertThat(r.exit()).as("berth " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    Result berthWithInput(String stdin, String... args) {
        return ConsoleProcess.run(home, stdin, args);
    }

    @Override
    public void close() throws IOException {
        try {
            Result names = berth("get", "pods", "-o", "name");
            List<String> delete = new ArrayList<>(List.of("delete", "pod", "--now"));
            names.out().lines().map(l -> l.substring(l.indexOf('/') + 1)).forEach(delete::add);
            if (delete.size() > 3) {
                berth(delete.toArray(String[]::new));
            }
        } finally {
            stop(process);
            killed.forEach(TestDaemon::stop);
            removeCgroups(cgroupParent);
            deleteTree(dir);
        }
    }

    private static void stop(Process p) {
        if (p == null) {
            return;
        }
        // bin/berth execs berth-subreaper, which forwards SIGTERM to the daemon's JVM.
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        p.destroy();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** Removes this test's (empty) pod cgroups, deepest first, in every hierarchy. */
    private static void removeCgroups(String parent) throws IOException {
        Path root = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(root.resolve(parent.substring(1)));
        try (Stream<Path> hierarchies = Files.list(root)) {
            hierarchies.forEach(h -> candidates.add(h.resolve(parent.substring(1))));
        }
        for (Path c : candidates) {
            if (!Files.isDirectory(c)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(c)) {
                walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(d -> d.toFile().delete());
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
