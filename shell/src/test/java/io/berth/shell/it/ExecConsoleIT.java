package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.testkit.Requirements;

/**
 * {@code berth exec} against a real daemon and a busybox pod: output and exit status one-shot, and
 * {@code exec -it} in tmux's pseudo-terminal: the shell answers, {@code stty size} follows the
 * resized window, {@code exit 7} is berth's status, and the operator's terminal leaves raw mode.
 */
class ExecConsoleIT {
    private final String socket = "berth-exec-it-" + ProcessHandle.current().pid();

    @Test
    void execOneShotAndInATerminal() throws Exception {
        Requirements.command("tmux", "tmux");
        try (TestDaemon daemon = new TestDaemon()) {
            try {
                ConsoleProcess.Result run = daemon.berth("run", "ex", "--image", "busybox", "--", "sleep", "3600");
                assertThat(run.exit()).as(run.toString()).isZero();
                Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                        .until(() -> daemon.berth("get", "pods").out().matches("(?s).*ex\\s+1/1\\s+Running.*"));

                ConsoleProcess.Result r = daemon.berth("exec", "ex", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3");
                assertThat(r.exit()).as(r.toString()).isEqualTo(3);
                assertThat(r.out()).isEqualTo("hi\n");
                assertThat(r.err()).contains("oops");
                // v5: the end of the piped input reaches the process, so a command that reads to EOF ends
                ConsoleProcess.Result piped = daemon.berthWithInput("piped\nsecond\n", "exec", "-i", "ex", "--", "cat");
                assertThat(piped.exit()).as(piped.toString()).isZero();
                assertThat(piped.out()).isEqualTo("piped\nsecond\n");
                ConsoleProcess.Result usage = daemon.berth("exec", "ex");
                assertThat(usage.exit()).isEqualTo(2);
                assertThat(usage.err()).contains("exec needs a pod and a command");

                String cmd = "env BERTH_HOME=" + daemon.home + " NO_COLOR=1 " + ConsoleProcess.launcher()
                        + " exec -it ex -- sh; echo EXIT=$?; echo RAW=$(stty -a | grep -c -- -icanon); sleep 600";
                tmux("new-session", "-d", "-s", "x", "-x", "80", "-y", "24", "sh", "-c", cmd);
                tmux("set-option", "-t", "x", "status", "off");
                await("/ #"); // capture-pane drops trailing blanks
                tmux("send-keys", "-t", "x", "echo $((6*7))", "Enter");
                await("\n42\n");
                tmux("send-keys", "-t", "x", "stty size", "Enter");
                await("\n24 80\n");
                tmux("resize-window", "-t", "x", "-x", "100", "-y", "30");
                Thread.sleep(300); // SIGWINCH to berth, then a resize frame to the daemon
                tmux("send-keys", "-t", "x", "stty size", "Enter");
                await("\n30 100\n");
                tmux("send-keys", "-t", "x", "exit 7", "Enter");
                await("EXIT=7\nRAW=0");
            } finally {
                new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
                // kill-server leaves its socket file behind (tmux's default directory, as root)
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/tmp/tmux-0", socket));
            }
        }
    }

    private void await(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String screen;
        while (!(screen = tmux("capture-pane", "-p", "-t", "x")).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen never showed " + text.replace("\n", "\\n") + "; it shows:\n" + screen);
            }
            Thread.sleep(200);
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s: %s", command, out).isTrue();
        return out;
    }
}
