package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.testkit.Tmux;

/**
 * {@code berth exec} against a real daemon and a busybox pod: output and exit status one-shot, and
 * {@code exec -it} in tmux's pseudo-terminal: the shell answers, {@code stty size} follows the
 * resized window, {@code exit 7} is berth's status, and the operator's terminal leaves raw mode.
 */
class ExecConsoleIT {
    @Test
    void execOneShotAndInATerminal() throws Exception {
        try (Tmux tmux = new Tmux("berth-exec-it"); TestDaemon daemon = new TestDaemon()) {
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
            tmux.start("x", 80, 24, cmd);
            tmux.await("x", "/ #", 60); // capture-pane drops trailing blanks
            tmux.type("x", "echo $((6*7))");
            tmux.await("x", "\n42\n", 60);
            tmux.type("x", "stty size");
            tmux.await("x", "\n24 80\n", 60);
            tmux.resize("x", 100, 30);
            Thread.sleep(300); // SIGWINCH to berth, then a resize frame to the daemon
            tmux.type("x", "stty size");
            tmux.await("x", "\n30 100\n", 60);
            tmux.type("x", "exit 7");
            tmux.await("x", "EXIT=7\nRAW=0", 60);
        }
    }
}
