package io.berth.runtime.containerd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * A private containerd 1.6 for one test class: its own root, state, sockets and ctr namespace
 * inside a temporary directory, so it never touches (or is touched by) a system containerd or a
 * parallel test run. {@link #close()} leaves nothing behind: no tasks, shims, container
 * processes, mounts, cgroups or files.
 */
public final class LocalContainerd implements AutoCloseable {
    /** sun_path is 108 bytes including the NUL; containerd fails obscurely beyond it. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CTR_TIMEOUT = Duration.ofSeconds(60);
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /**
     * containerd-shim-runc-v2 passes {@code --root /run/containerd/runc/NAMESPACE} to the runtime
     * unless the client sets a root in the runtime options, and ctr cannot. With the shim sockets
     * below, the only state outside our directory (ctr's FIFOs go to {@link #fifoDir()}).
     */
    private static final Path RUNTIME_STATE_ROOT = Path.of("/run/containerd/runc");
    /** containerd 1.6 puts every shim's socket here whatever its config says (runtime/v2/shim). */
    private static final Path SHIM_SOCKET_DIR = Path.of("/run/containerd/s");

    private final Path dir;
    private final Path socket;
    private final String namespace;
    private final Path ctr;
    private final Process daemon;
    /** Chosen once the daemon answers, from the snapshotters it could load. */
    private String snapshotter;

    private LocalContainerd(Path dir, Path socket, String namespace, Path ctr, Process daemon) {
        this.dir = dir;
        this.socket = socket;
        this.namespace = namespace;
        this.ctr = ctr;
        this.daemon = daemon;
    }

    /**
     * Starts containerd in a new directory under {@code parent} and waits until it answers. Skips
     * the test (fails it on CI) when not root or containerd is not installed.
     */
    public static LocalContainerd start(Path parent) {
        Requirements.root();
        Path containerd = Requirements.command("containerd", "containerd");
        Path ctr = Requirements.command("ctr", "containerd");
        Requirements.command("containerd-shim-runc-v2", "containerd");
        try {
            Path dir = Files.createTempDirectory(parent.toAbsolutePath(), "containerd-");
            Path socket = dir.resolve("containerd.sock");
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length + ".ttrpc".length() > MAX_SOCKET_PATH) {
                BusyboxRootfs.deleteTree(dir);
                throw new IllegalArgumentException("containerd socket path " + socket + " is longer than a unix socket"
                        + " allows (" + MAX_SOCKET_PATH + " bytes): use a shorter temporary directory (-Djava.io.tmpdir=/tmp)");
            }
            String namespace = "berth-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            Path config = dir.resolve("config.toml");
            Files.writeString(config, config(dir, socket));
            Process daemon = new ProcessBuilder(containerd.toString(), "--config", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("containerd.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            LocalContainerd local = new LocalContainerd(dir, socket, namespace, ctr, daemon);
            try {
                local.awaitReady();
                local.snapshotter = local.pickSnapshotter();
                return local;
            } catch (RuntimeException | Error e) {
                try {
                    local.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start containerd under " + parent, e);
        }
    }

    /**
     * containerd 1.6 config (version 2). Every path the daemon would otherwise take from /var/lib,
     * /run or /opt points into {@code dir}; CRI is off because it wants CNI and a sandbox image
     * and is not what ctr drives.
     */
    static String config(Path dir, Path socket) {
        return """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]

                [grpc]
                  address = "%2$s"

                [ttrpc]
                  address = "%2$s.ttrpc"

                [debug]
                  address = ""
                  level = "info"

                [metrics]
                  address = ""

                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                """.formatted(tomlString(dir.toString()), tomlString(socket.toString()));
    }

    /** The inside of a TOML basic string: a temp dir name could hold a quote or a backslash. */
    private static String tomlString(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        CtrResult last = null;
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("containerd exited with " + daemon.exitValue()
                        + " before it answered; its log:\n" + logTail());
            }
            if (Files.exists(socket)) {
                last = ctr("version");
                if (last.ok()) {
                    return;
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("containerd did not answer on " + socket + " within " + START_TIMEOUT
                + (last == null ? "" : "; last try: " + last.describe()) + "\nits log:\n" + logTail());
    }

    /**
     * overlayfs when the daemon could load it (it checks the backing filesystem itself), native
     * (plain copies) otherwise, e.g. when the temporary directory is itself on overlayfs.
     */
    private String pickSnapshotter() {
        CtrResult plugins = ctrOk("plugins", "ls");
        boolean overlay = plugins.stdout().lines()
                .map(l -> l.trim().split("\\s+"))
                .anyMatch(f -> f.length >= 4 && f[0].equals("io.containerd.snapshotter.v1")
                        && f[1].equals("overlayfs") && f[f.length - 1].equals("ok"));
        return overlay ? "overlayfs" : "native";
    }

    public Path socket() {
        return socket;
    }

    public String namespace() {
        return namespace;
    }

    public String snapshotter() {
        return snapshotter;
    }

    public Path dir() {
        return dir;
    }

    /** The {@code --root} the shim gives the runtime binary for this namespace. */
    public Path runtimeRoot() {
        return RUNTIME_STATE_ROOT.resolve(namespace);
    }

    /**
     * Pass as {@code --fifo-dir} to {@code ctr run} and {@code ctr tasks exec}: ctr's default is
     * /run/containerd/fifo, and it leaves a detached exec's FIFOs there for good.
     */
    public Path fifoDir() {
        return dir.resolve("fifo");
    }

    /** The socket of the shim for container {@code id}: sha256 of address/namespace/id. */
    public Path shimSocket(String id) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((socket + "/" + namespace + "/" + id).getBytes(StandardCharsets.UTF_8));
            return SHIM_SOCKET_DIR.resolve(HexFormat.of().formatHex(hash));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Where this namespace's containers get their cgroups: ctr's default is /NAMESPACE/ID. */
    public String cgroupPath(String containerId) {
        return "/" + namespace + "/" + containerId;
    }

    /** Runs {@code ctr -a SOCKET -n NAMESPACE args...}, whatever its exit code. */
    public CtrResult ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "-a", socket.toString(), "-n", namespace));
        cmd.addAll(List.of(args));
        return run(cmd, CTR_TIMEOUT);
    }

    /** Like {@link #ctr} but a non-zero exit is an error that shows everything ctr said. */
    public CtrResult ctrOk(String... args) {
        CtrResult r = ctr(args);
        if (!r.ok()) {
            throw new AssertionError("ctr failed: " + r.describe());
        }
        return r;
    }

    /** The argument vector for ctr, for callers that need to wrap it (e.g. in script(1) for a tty). */
    public List<String> ctrCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "-a", socket.toString(), "-n", namespace));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs any command with stdin from /dev/null, collecting its output; kills it after {@code timeout}. */
    public static CtrResult run(List<String> cmd, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            // Both streams drain concurrently so a chatty command cannot block on a full pipe.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout
                        + "; stdout so far:\n" + out.join() + "\nstderr:\n" + err.join());
            }
            return new CtrResult(List.copyOf(cmd), p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("containerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "<no log: " + e + ">";
        }
    }

    /**
     * Best effort at every step, so that one failure (a stuck task, a daemon that is already dead)
     * does not stop the later steps from cleaning up what they own.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (daemon.isAlive()) {
            removeContainers(problems);
        }
        stopDaemon();
        killShims();
        removeCgroups(problems);
        unmountUnder(dir, problems);
        for (Path owned : List.of(runtimeRoot(), dir)) {
            try {
                BusyboxRootfs.deleteTree(owned);
            } catch (IOException e) {
                problems.add("cannot delete " + owned + ": " + e);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("containerd cleanup left problems: " + String.join("; ", problems));
        }
    }

    /** Kills and deletes what a failed test left, so the shims exit on their own and unmount rootfs. */
    private void removeContainers(List<String> problems) {
        CtrResult tasks = ctr("tasks", "ls", "-q");
        for (String id : tasks.stdout().lines().map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            ctr("tasks", "kill", "-a", "-s", "SIGKILL", id);
            CtrResult del = ctr("tasks", "delete", "-f", id);
            if (!del.ok()) {
                problems.add("task " + id + " not deleted: " + del.stderr().trim());
            }
        }
        CtrResult containers = ctr("containers", "ls", "-q");
        for (String id : containers.stdout().lines().map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            ctr("containers", "rm", id);
        }
    }

    private void stopDaemon() {
        daemon.destroy();
        try {
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.destroyForcibly();
        }
    }

    /**
     * Shims re-parent themselves to init, so they are not our children: find them by the socket in
     * their command line ({@code containerd-shim-runc-v2 -namespace N -id ID -address SOCKET}).
     * Their container processes stay behind in cgroups and are killed in {@link #removeCgroups}.
     */
    private void killShims() {
        for (ProcessHandle shim : shims()) {
            // A killed shim cannot remove its socket file: do it for it.
            List<String> argv = cmdline(Path.of("/proc/" + shim.pid()));
            int id = argv.indexOf("-id");
            shim.destroyForcibly();
            for (int i = 0; i < 50 && isRunning(shim); i++) {
                sleep(100);
            }
            if (id >= 0 && id + 1 < argv.size()) {
                try {
                    Files.deleteIfExists(shimSocket(argv.get(id + 1)));
                } catch (IOException e) {
                    // reported by the caller's checks, if it matters
                }
            }
        }
    }

    /**
     * Alive and not a zombie: a killed shim is init's child, and init reaps it when it gets to it,
     * but a zombie holds no resources and runs nothing.
     */
    public static boolean isRunning(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            // pid (comm) STATE ...: comm may contain spaces and parentheses, so look after the last ')'.
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Running shim processes started for this daemon. */
    public List<ProcessHandle> shims() {
        String address = socket.toString();
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                List<String> argv = cmdline(p);
                if (argv.isEmpty() || !argv.get(0).contains("containerd-shim")) {
                    continue;
                }
                int i = argv.indexOf("-address");
                if (i >= 0 && i + 1 < argv.size() && argv.get(i + 1).equals(address)) {
                    ProcessHandle.of(Long.parseLong(name)).filter(LocalContainerd::isRunning).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return found;
    }

    private static List<String> cmdline(Path proc) {
        try {
            String raw = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException e) {
            return List.of(); // the process exited while we looked
        }
    }

    /** Every cgroup directory this namespace created, deepest first, in every mounted hierarchy. */
    public List<Path> cgroupDirs() {
        List<Path> dirs = new ArrayList<>();
        for (Path hierarchy : cgroupHierarchies()) {
            Path ns = hierarchy.resolve(namespace);
            if (!Files.isDirectory(ns)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(ns)) {
                walk.filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException | UncheckedIOException e) {
                dirs.add(ns);
            }
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return dirs;
    }

    private static List<Path> cgroupHierarchies() {
        List<Path> out = new ArrayList<>();
        if (Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"))) {
            out.add(CGROUP_ROOT); // unified (v2) only
            return out;
        }
        try (Stream<Path> list = Files.list(CGROUP_ROOT)) {
            list.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).forEach(out::add);
        } catch (IOException e) {
            // no cgroupfs mounted: nothing of ours can be there either
        }
        return out;
    }

    private void removeCgroups(List<String> problems) {
        Set<Long> killed = new HashSet<>();
        for (Path cg : cgroupDirs()) {
            for (long pid : pids(cg)) {
                if (killed.add(pid)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        for (Path cg : cgroupDirs()) {
            // A killed process leaves its cgroup a moment after the signal.
            boolean removed = false;
            for (int attempt = 0; attempt < 50 && !removed; attempt++) {
                try {
                    Files.deleteIfExists(cg);
                    removed = true;
                } catch (IOException e) {
                    sleep(100);
                }
            }
            if (!removed) {
                problems.add("cgroup " + cg + " is still busy: " + pids(cg));
            }
        }
    }

    private static List<Long> pids(Path cgroup) {
        try {
            return Files.readAllLines(cgroup.resolve("cgroup.procs")).stream()
                    .map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Mount points at or below {@code root} in this mount namespace, deepest first. */
    public static List<Path> mountsUnder(Path root) {
        List<Path> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
                Path point = Path.of(unescape(f[4]));
                if (point.startsWith(root)) {
                    found.add(point);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void unmountUnder(Path root, List<String> problems) {
        for (Path point : mountsUnder(root)) {
            // Lazy: a shim we just killed may still hold the rootfs open for a moment.
            CtrResult r = run(List.of("umount", "-l", point.toString()), Duration.ofSeconds(30));
            if (!r.ok() && mountsUnder(root).contains(point)) {
                problems.add("cannot unmount " + point + ": " + r.stderr().trim());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
