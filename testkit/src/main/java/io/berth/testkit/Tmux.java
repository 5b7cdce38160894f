package io.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tmux server of one test's own (its socket named after the test and this JVM), for driving a
 * program through a real pseudo-terminal: start a session, type, read the screen, resize. Close it
 * to kill the server and remove the socket file tmux leaves behind.
 */
public final class Tmux implements AutoCloseable {
    private final String socket;

    /** Skips the test (or fails it under berth.requireAll) when tmux is not installed. */
    public Tmux(String name) {
        Requirements.command("tmux", "tmux");
        this.socket = name + "-" + ProcessHandle.current().pid();
    }

    /** A detached session {@code session} of {@code columns}x{@code rows} running {@code sh -c command}, without a status line. */
    public void start(String session, int columns, int rows, String command) {
        run("new-session", "-d", "-s", session, "-x", Integer.toString(columns), "-y", Integer.toString(rows), "sh", "-c", command);
        run("set-option", "-t", session, "status", "off");
    }

    /** Keys as tmux's send-keys takes them ("Enter", "C-c", or text). */
    public void keys(String session, String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** A line typed and Enter. */
    public void type(String session, String line) {
        keys(session, line, "Enter");
    }

    public void resize(String session, int columns, int rows) {
        run("resize-window", "-t", session, "-x", Integer.toString(columns), "-y", Integer.toString(rows));
    }

    public void kill(String session) {
        run("kill-session", "-t", session);
    }

    /** The screen's text (capture-pane drops trailing blanks). */
    public String screen(String session) {
        return run("capture-pane", "-p", "-t", session);
    }

    /** Waits until the screen shows {@code text}; fails showing the screen after {@code seconds}. */
    public void await(String session, String text, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen;
        while (!(screen = screen(session)).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen did not show " + text.replace("\n", "\\n") + " in " + seconds + " s; it shows:\n" + screen);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + text, e);
            }
        }
    }

    /** tmux with this server's socket; its output, or an AssertionError with it when tmux fails. */
    public String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(cmd + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(cmd + ": interrupted", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // kill-server leaves its socket file behind (tmux's default directory, as root)
        Files.deleteIfExists(Path.of("/tmp/tmux-" + uid(), socket));
    }

    private static String uid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "0";
        }
    }
}
