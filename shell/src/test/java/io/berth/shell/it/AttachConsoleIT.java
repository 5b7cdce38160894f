package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.testkit.Monitors;
import io.berth.testkit.Tmux;

/**
 * {@code berth run -it}, {@code berth attach} and {@code berth exec -i} against a real daemon, in
 * tmux's pseudo-terminal: the container's shell answers, Ctrl-C reaches a sleep, the exit status is
 * berth's, --rm leaves no pod; piped input ends with EOF; an interactive container keeps running
 * through a daemon SIGKILL and a new daemon attaches to it; refusals are one line; no monitor, socket
 * or monitor directory is left.
 */
class AttachConsoleIT {
    @Test
    void runAttachExecAndARestartedDaemon() throws Exception {
        try (Tmux tmux = new Tmux("berth-attach-it"); TestDaemon daemon = new TestDaemon()) {
            // run -it --rm: a shell that answers, Ctrl-C to its sleep, its exit status, and no pod afterwards
            tmux.start("r", 80, 24, berth(daemon)
                    + " run -it --rm once --image busybox --restart Never -- sh; echo EXIT=$?; echo RAW=$(stty -a | grep -c -- -icanon);"
                    + " sleep 600");
            tmux.await("r", "If you don't see a command prompt", 60);
            tmux.type("r", "echo answer=$((6*7))");
            tmux.await("r", "answer=42", 60);
            tmux.type("r", "sleep 300");
            Thread.sleep(500);
            tmux.keys("r", "C-c");
            tmux.type("r", "echo slept=$?");
            tmux.await("r", "slept=130", 60);
            tmux.type("r", "exit 6");
            tmux.await("r", "EXIT=6\nRAW=0", 60);
            assertThat(daemon.berth("get", "pods").out()).doesNotContain("once");

            // a terminal container, attached to, resized
            ConsoleProcess.Result made = daemon.berthWithInput("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: term}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: main, image: busybox, imagePullPolicy: IfNotPresent, command: [sh], stdin: true, tty: true}
                    """, "apply", "-f", "-");
            assertThat(made.exit()).as(made.toString()).isZero();
            Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                    .until(() -> daemon.berth("get", "pods").out().matches("(?s).*term\\s+1/1\\s+Running.*"));
            tmux.start("a", 80, 24, berth(daemon) + " attach -it term; echo EXIT=$?; sleep 600");
            tmux.await("a", "If you don't see a command prompt", 60);
            tmux.type("a", "KEPT=by-the-shell; echo first=$$");
            tmux.await("a", "first=1", 60); // the container's main process
            tmux.resize("a", 100, 30);
            Thread.sleep(300);
            tmux.type("a", "stty size");
            tmux.await("a", "\n30 100\n", 60);
            tmux.kill("a"); // the operator goes away; the container's shell stays

            // piped input ends: exec -i with v5's close
            ConsoleProcess.Result piped = daemon.berthWithInput("hi\n", "exec", "-i", "term", "--", "cat");
            assertThat(piped.exit()).as(piped.toString()).isZero();
            assertThat(piped.out()).isEqualTo("hi\n");

            // the daemon dies (SIGKILL) and comes back: the same shell, attached again
            daemon.killAndRestart();
            tmux.start("b", 80, 24, berth(daemon) + " attach -it term; echo EXIT=$?; sleep 600");
            tmux.await("b", "If you don't see a command prompt", 60);
            tmux.type("b", "echo again=$$ $KEPT");
            tmux.await("b", "again=1 by-the-shell", 60); // the same shell, never restarted
            assertThat(daemon.berth("get", "pods").out()).containsPattern("term\\s+1/1\\s+Running\\s+0");
            tmux.type("b", "exit");
            tmux.await("b", "EXIT=0", 60);

            // refusals: one line, non-zero, nothing made
            ConsoleProcess.Result nope = daemon.berth("attach", "nope");
            assertThat(nope.exit()).isEqualTo(1);
            assertThat(nope.err()).contains("pod nope not found");
            ConsoleProcess.Result other = daemon.berth("attach", "term", "-c", "other");
            assertThat(other.exit()).isEqualTo(1);
            assertThat(other.err()).contains("container other is not in pod term");
            ConsoleProcess.Result bad = daemon.berth("run", "-it", "--rm", "bad", "--image", "no-such-image", "--", "sh");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
            assertThat(bad.err()).contains("cannot be had");
            assertThat(daemon.berth("get", "pods").out()).doesNotContain("bad");
            ConsoleProcess.Result usage = daemon.berth("run", "--rm", "x", "--image", "busybox");
            assertThat(usage.exit()).isEqualTo(2);
            assertThat(usage.err()).contains("--rm needs -i");

            ConsoleProcess.Result deleted = daemon.berth("delete", "pod", "term", "--now");
            assertThat(deleted.exit()).as(deleted.toString()).isZero();
            Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() ->
                    Monitors.processes(daemon.home).isEmpty() && Monitors.directories(daemon.home).isEmpty());
        }
    }

    private static String berth(TestDaemon daemon) {
        return "env BERTH_HOME=" + daemon.home + " NO_COLOR=1 " + ConsoleProcess.launcher();
    }
}
