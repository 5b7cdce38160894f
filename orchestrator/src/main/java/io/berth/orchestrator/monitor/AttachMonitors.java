package io.berth.orchestrator.monitor;

import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.Stdio;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code berth-monitor} of each container run (docs/architecture.md, "Exits and logs that
 * outlive the daemon" and "Interactive containers and attach"): started before the container is
 * created, it holds the output pipes (or the pty master) and, for an interactive container, its
 * stdin; it writes the run's log in the CRI format, rotates it, and serves {@code attach.sock}.
 * Everything of one run's monitor is in {@code <state>/attach/<container id>/}, so a restarted
 * daemon finds it again by the container's id, and {@link #stop} removes it with its container.
 */
public final class AttachMonitors {
    public static final String SOCKET = "attach.sock";
    private static final String CONSOLE = "console.sock";
    private static final String PID_FILE = "monitor.pid";

    private final Path root;
    private final Path binDir;
    private final ExitFiles exits;
    /**
     * Under berth-subreaper (the daemon as launched) a monitor detaches from this JVM at its start
     * and the subreaper reaps it: the JDK would otherwise keep a "process reaper" thread blocked on
     * each monitor it started (1000 threads, ~40 MB, at 500 pods). A JVM without it (the tests'
     * node) keeps its monitors as children: nothing else would reap them.
     */
    private final boolean detach = Subreaper.isParentOfThisProcess();

    /**
     * @param root  {@code <state>/attach}
     * @param binDir where the binary is extracted
     * @param exits a monitor orphaned by a daemon crash is reaped by berth-subreaper, whose
     *              versions before every run had a monitor left an exit file for it: removed here with the monitor
     */
    public AttachMonitors(Path root, Path binDir, ExitFiles exits) {
        this.root = root;
        this.binDir = binDir;
        this.exits = exits;
    }

    public Path dir(String containerId) {
        return root.resolve(containerId);
    }

    /** The run's attach socket, if it has a live monitor. */
    public Optional<Path> socket(String containerId) {
        Path s = dir(containerId).resolve(SOCKET);
        return Files.exists(s) && identity(containerId).map(ProcessIdentity::isAlive).orElse(false) ? Optional.of(s) : Optional.empty();
    }

    /**
     * Starts the monitor of run {@code containerId}, writing its output to {@code log} (rotated past
     * {@code maxBytes}, {@code maxFiles} files kept with the live one). Returns once it listens; the
     * caller creates the container with {@link Started#stdio()} and {@link Started#consoleSocket()},
     * then closes what it returned. Without a terminal it can be started ahead of the run: if the
     * run is never made, closing the {@link Started} (or this JVM's end) gives the monitor EOF and it exits.
     */
    public Started start(String containerId, Path log, long maxBytes, int maxFiles, boolean tty, boolean stdin, boolean stdinOnce) {
        Path dir = dir(containerId);
        stop(containerId); // a crash's leftover of this very run
        List<Integer> theirs = new ArrayList<>(); // the monitor's ends: closed once it has opened them
        List<Integer> ours = new ArrayList<>();   // the container's ends, and the directory
        Started started = null;
        try {
            Files.createDirectories(dir);
            Files.createDirectories(log.getParent());
            int dirFd = LibC.open(dir.toString(), LibC.O_RDONLY);
            ours.add(dirFd);
            Path binary = NativeBinaries.extract(NativeBinaries.MONITOR, binDir);
            String flags = (tty ? "t" : "") + (stdin ? "i" : "") + (stdinOnce ? "o" : "") + (detach ? "d" : "") + "-";
            List<String> argv = new ArrayList<>(List.of(binary.toString(), dir.toString(), log.toString(), Long.toString(maxBytes),
                    Integer.toString(maxFiles), flags));
            Stdio stdio = Stdio.nullStdio();
            if (!tty) {
                // The container's ends become its fds 0-2; the monitor opens the other ends through
                // /proc (ProcessBuilder passes no other fd), then ours are closed. No stdin: /dev/null.
                String self = "/proc/" + ProcessHandle.current().pid() + "/fd/";
                int in = Stdio.NULL;
                String inPath = "-";
                if (stdin) {
                    int[] p = pipe(ours, theirs);
                    in = p[0];
                    inPath = self + p[1];
                }
                int[] out = pipe(theirs, ours);
                int[] err = pipe(theirs, ours);
                argv.addAll(List.of(inPath, self + out[0], self + err[0]));
                stdio = new Stdio(in, out[1], err[1]);
            }
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            if (!"ready".equals(line)) {
                p.destroyForcibly();
                throw new IllegalStateException(line == null ? "berth-monitor exited without a word (exit " + waitFor(p) + ")" : line);
            }
            started = new Started(stdio, tty ? viaFd(dirFd, CONSOLE) : null, ours);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start berth-monitor for " + containerId + ": " + describe(e), e);
        } finally {
            theirs.forEach(LibC::close);
            if (started == null) {
                ours.forEach(LibC::close);
                stop(containerId);
            }
        }
    }

    /** "path: reason" for a file system error (its message alone is often only the path). */
    private static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            String why = f.getReason() != null ? f.getReason() : e.getClass().getSimpleName().replace("Exception", "");
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + why;
        }
        return e.getMessage();
    }

    /** A pipe whose read end goes to {@code readers}' list and write end to {@code writers}'. */
    private static int[] pipe(List<Integer> readers, List<Integer> writers) {
        int[] p = LibC.pipe();
        readers.add(p[0]);
        writers.add(p[1]);
        return p;
    }

    /**
     * Connects to a monitor's attach socket (a path from {@link #socket}). Through
     * /proc/self/fd/DIRFD/attach.sock, since sun_path holds only 107 bytes and a state root may be
     * long.
     */
    public static SocketChannel connect(Path socket) throws IOException {
        int dirFd;
        try {
            dirFd = LibC.open(socket.getParent().toString(), LibC.O_RDONLY);
        } catch (LibC.SyscallException e) {
            throw new IOException("cannot open " + socket.getParent() + ": " + LibC.strerror(e.errno()));
        }
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(viaFd(dirFd, socket.getFileName().toString())));
                return ch;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        } finally {
            LibC.close(dirFd);
        }
    }

    private static Path viaFd(int dirFd, String name) {
        return Path.of("/proc/self/fd/" + dirFd + "/" + name);
    }

    /**
     * How long a monitor may take to write what it holds once its container is gone (it exits at
     * the end of the container's output), before it is killed: longer only when something outside
     * the container (another container of a pod that shares its PID namespace) still holds the pipes.
     */
    private static final long DRAIN_NANOS = 500_000_000L;

    /**
     * Removes the run's monitor and its directory, once its container is gone: lets it finish
     * writing the log, kills it if it still runs after {@link #DRAIN_NANOS}; nothing there is not an error.
     */
    public void stop(String containerId) {
        Optional<ProcessIdentity> id = identity(containerId);
        if (id.isPresent()) {
            ProcessIdentity p = id.get();
            long drained = System.nanoTime() + DRAIN_NANOS;
            while (p.isAlive() && System.nanoTime() < drained) {
                sleep();
            }
            if (p.isAlive()) {
                LibC.kill(p.pid(), Signals.SIGKILL);
            }
            long until = System.nanoTime() + 2_000_000_000L;
            while (p.exists() && System.nanoTime() < until) {
                sleep();
            }
            exits.remove(p); // berth-subreaper writes none for a monitor now; one from before this version did
        }
        deleteTree(dir(containerId));
    }

    /** Stops every monitor whose container id starts with {@code prefix} (a pod's, "uid_"). */
    public void stopAll(String prefix) {
        for (String id : ids()) {
            if (id.startsWith(prefix)) {
                stop(id);
            }
        }
    }

    /** The container ids that have a monitor directory. */
    public List<String> ids() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether the monitor of run {@code containerId} still runs (may still write its log). */
    public static boolean running(Path root, String containerId) {
        return identity(root.resolve(containerId)).map(ProcessIdentity::isAlive).orElse(false);
    }

    private Optional<ProcessIdentity> identity(String containerId) {
        return identity(dir(containerId));
    }

    private static Optional<ProcessIdentity> identity(Path dir) {
        try {
            String[] f = Files.readString(dir.resolve(PID_FILE)).trim().split(" ");
            return Optional.of(new ProcessIdentity(Integer.parseInt(f[0]), Long.parseLong(f[1])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger("io.berth.orchestrator").log(System.Logger.Level.WARNING, "cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /**
     * A started monitor: the container's stdio (its pipe ends, or /dev/null when its terminal
     * replaces them) or the console socket where its terminal goes. Close once the container exists.
     */
    public static final class Started implements AutoCloseable {
        private final Stdio stdio;
        private final Path consoleSocket;
        private final List<Integer> fds;

        Started(Stdio stdio, Path consoleSocket, List<Integer> fds) {
            this.stdio = stdio;
            this.consoleSocket = consoleSocket;
            this.fds = fds;
        }

        public Stdio stdio() {
            return stdio;
        }

        /** Where the terminal's master goes; null without a terminal. */
        public Path consoleSocket() {
            return consoleSocket;
        }

        @Override
        public void close() {
            fds.forEach(LibC::close);
            fds.clear();
        }
    }
}
