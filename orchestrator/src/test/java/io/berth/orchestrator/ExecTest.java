package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.Requirements;
import io.berth.testkit.Tmux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kubectl exec against the daemon with its real node side and a busybox pod: exit codes through the
 * status channel, piped stdin ended by v5's close frame, and a terminal driven in tmux (a real pty
 * on kubectl's side, resized by resizing the tmux window).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecTest {

    private DaemonFixture d;
    private Tmux tmux;

    @BeforeAll
    void start() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        tmux = new Tmux("berth-exec-test");
        try {
            d = DaemonFixture.realNode("exec");
            String pod = """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: shell}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: busybox
                        imagePullPolicy: IfNotPresent
                        env: [{name: GREETING, value: from-the-pod}]
                        workingDir: /tmp
                        command: ["sleep", "3600"]
                    """;
            DaemonFixture.Result created = d.kubectlWithInput(pod, "apply", "-f", "-");
            assertThat(created.exit()).as(created.toString()).isZero();
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                    d.kubectl("get", "pod", "shell", "-o", "jsonpath={.status.phase}").out().equals("Running"));
        } catch (Exception | AssertionError e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (tmux != null) {
                tmux.close();
            }
        } finally {
            if (d != null) {
                d.close();
            }
        }
    }

    @Test
    void outputErrorsAndTheExitCode() throws Exception {
        DaemonFixture.Result r = d.kubectl("exec", "shell", "--", "sh", "-c", "echo hi; echo oops >&2; echo $GREETING; exit 3");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("hi\nfrom-the-pod\n");
        assertThat(r.err()).contains("oops");
        DaemonFixture.Result ok = d.kubectl("exec", "shell", "-c", "main", "--", "cat", "/proc/1/cmdline");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).isEqualTo("sleep\u00003600\u0000"); // the container's PID namespace
    }

    @Test
    void execStartsInTheContainersWorkingDirectory() throws Exception {
        DaemonFixture.Result r = d.kubectl("exec", "shell", "--", "pwd");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("/tmp\n"); // spec.containers[0].workingDir, as runc exec starts in process.cwd
    }

    @Test
    void pipedStdinReachesTheProcessAndEnds() throws Exception {
        DaemonFixture.Result r = d.kubectlWithInput("one\ntwo\n", "exec", "-i", "shell", "--", "sh", "-c", "wc -l; echo done");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("2\ndone\n");
    }

    @Test
    void refusalsAreStatuses() throws Exception {
        DaemonFixture.Result nope = d.kubectl("exec", "nope", "--", "true");
        assertThat(nope.exit()).isNotZero();
        assertThat(nope.err()).contains("pods \"nope\" not found");
        DaemonFixture.Result other = d.kubectl("exec", "shell", "-c", "other", "--", "true");
        assertThat(other.exit()).isNotZero();
        assertThat(other.err()).contains("container other is not valid for pod shell");
        DaemonFixture.Result missing = d.kubectl("exec", "shell", "--", "/bin/no-such-command");
        assertThat(missing.exit()).as(missing.toString()).isNotZero();
        assertThat(missing.err()).contains("no-such-command");
    }

    @Test
    void terminalInTmuxFollowsTheWindowSizeAndReturnsTheStatus() throws Exception {
        Path exit = d.dir.resolve("tty-exit");
        String cmd = d.kubectlCommandLine("exec -it shell -- sh") + "; echo $? > " + exit + "; sleep 600";
        tmux.start("t", 80, 24, cmd);
        tmux.await("t", "/tmp #", 20); // the container's workingDir; capture-pane drops trailing blanks
        tmux.type("t", "echo $((6*7))");
        tmux.await("t", "\n42\n", 20);
        tmux.type("t", "stty size");
        tmux.await("t", "\n24 80\n", 20);
        tmux.resize("t", 100, 30);
        Thread.sleep(300); // the window change reaches kubectl as SIGWINCH, then the daemon as a resize frame
        tmux.type("t", "stty size");
        tmux.await("t", "\n30 100\n", 20);
        tmux.type("t", "exit 7");
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(exit) && !Files.readString(exit).isBlank());
        assertThat(Files.readString(exit).trim()).isEqualTo("7");
    }
}
