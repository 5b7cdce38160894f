package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.testkit.Requirements;

/**
 * The interactive console in a real terminal (tmux's pseudo-terminal), against a real daemon:
 * typing commands at its prompt, completion with Tab, one-line errors that leave the console
 * open, and {@code exit}.
 */
class InteractiveConsoleIT {
    private static String tmux(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("tmux " + String.join(" ", args) + ": " + out);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean sessionAlive(String session) {
        try {
            return new ProcessBuilder("tmux", "has-session", "-t", session).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void typedCommandsRunInTheOpenConsole() throws Exception {
        Requirements.command("tmux", "tmux");
        try (TestDaemon daemon = new TestDaemon()) {
            String session = "berth-console-it-" + ProcessHandle.current().pid();
            Path launcher = ConsoleProcess.launcher();
            tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50",
                    "env BERTH_HOME=" + daemon.home + " NO_COLOR=1 " + launcher + "; sleep 0.5");
            try {
                Screen screen = new Screen(session);
                screen.await("berth> ");
                screen.type("vers\t");
                screen.await("berth> version");
                screen.enter();
                screen.await("Server Version: v1.32");

                screen.type("run inter --image busybox --hostname typed -- sh -c 'hostname; exec sleep 3600'");
                screen.enter();
                screen.await("pod/inter created");
                screen.type("get pods");
                screen.enter();
                screen.awaitPattern("(?s).*inter\\s+1/1\\s+Running.*");

                screen.type("get pods nothing-here");
                screen.enter();
                screen.await("error: pod \"nothing-here\" not found");
                // Tab completes the pod's name from the daemon.
                screen.type("describe pod int\t");
                screen.await("berth> describe pod inter");
                screen.enter();
                screen.awaitPattern("(?s).*Name:\\s+inter.*Events:.*");
                // Tab completes image names: for image rm/inspect, and after --image.
                screen.type("image inspect bu\t");
                screen.await("berth> image inspect busybox:latest");
                screen.enter();
                screen.await("docker.io/library/busybox:latest");
                screen.type("run other --image bu\t");
                screen.await("berth> run other --image busybox:latest");
                tmux("send-keys", "-t", session, "C-u");
                screen.type("logs inter");
                screen.enter();
                screen.awaitPattern("(?s).*logs inter\\s*\\ntyped\\n.*");
                // get pods -w prints the changes of a pod made elsewhere; Ctrl-C ends the watch, not the console.
                screen.type("get pods -w -l app=watched");
                screen.enter();
                screen.await("No resources found");
                assertThat(daemon.berth("run", "watched", "--image", "busybox", "-l", "app=watched", "--", "sleep", "3600").exit()).isZero();
                screen.awaitPattern("(?s).*get pods -w -l app=watched.*\\nwatched\\s+0/1\\s+Pending.*\\nwatched\\s+1/1\\s+Running.*");
                tmux("send-keys", "-t", session, "C-c");
                screen.awaitPattern("(?s).*Running[^\\n]*\\n.*berth> \\s*$");
                // metrics -w redraws (in place on this terminal) until Ctrl-C, then the prompt is back.
                screen.type("metrics -w");
                screen.enter();
                screen.awaitPattern("(?s).*Pod start-up latency.*total \\(end to end\\).*Pods by phase:.*");
                tmux("send-keys", "-t", session, "C-c");
                screen.awaitPattern("(?s).*PHASE\\s+PODS\\n.*\\nberth> \\s*$");
                screen.type("delete pod watched --now");
                screen.enter();
                screen.await("pod \"watched\" deleted");
                screen.type("delete pod inter --now");
                screen.enter();
                screen.await("pod \"inter\" deleted");
                screen.type("exit");
                screen.enter();
                Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> !sessionAlive(session));
            } finally {
                if (sessionAlive(session)) {
                    tmux("kill-session", "-t", session);
                }
            }
        }
    }

    /** What tmux shows of the console, polled until it shows what the test waits for. */
    private static final class Screen {
        private final String session;

        Screen(String session) {
            this.session = session;
        }

        String text() {
            return tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", session);
        }

        void type(String keys) {
            tmux("send-keys", "-t", session, "-l", keys);
        }

        void enter() {
            tmux("send-keys", "-t", session, "Enter");
        }

        void await(String text) {
            try {
                Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                        .until(() -> text().contains(text));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the console never showed '" + text + "'; the screen:\n" + text(), e);
            }
        }

        void awaitPattern(String regex) {
            try {
                Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                        .until(() -> text().matches(regex));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the console never matched " + regex + "; the screen:\n" + text(), e);
            }
            assertThat(text()).matches(regex);
        }
    }
}
