package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private Path dir;
    private String cgroupParent;
    private DaemonFixture d;
    private final String tmuxSocket = "berth-exec-test-" + ProcessHandle.current().pid();

    @BeforeAll
    void start() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        Requirements.command("tmux", "tmux");
        Path rootfs = BusyboxRootfs.path();
        dir = Files.createTempDirectory("berth-exec-test");
        cgroupParent = "/berth-exec-" + ProcessHandle.current().pid();
        try {
            Path tar = dir.resolve("busybox.tar");
            Process p = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".").inheritIO().start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
            new ImageStore(dir.resolve("state")).importRootfs(tar, "busybox", Progress.NONE);
            Files.delete(tar);
            d = new DaemonFixture(dir, cgroupParent);
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
            new ProcessBuilder("tmux", "-L", tmuxSocket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
            // kill-server leaves its socket file behind (tmux's default directory, as root)
            Files.deleteIfExists(Path.of("/tmp/tmux-0", tmuxSocket));
            if (d != null) {
                // A stopped daemon leaves its pods running (by design): a failed test must not leave one behind.
                d.kubectl("delete", "pods", "--all", "--grace-period=0", "--timeout=60s");
                d.close();
            } else if (dir != null) {
                DaemonFixture.deleteTree(dir);
            }
        } finally {
            if (cgroupParent != null) {
                io.berth.runtime.cgroup.Cgroups.open(cgroupParent).destroy();
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
        Path exit = dir.resolve("tty-exit");
        String cmd = "KUBECONFIG=" + d.root.kubeconfig() + " HOME=" + dir.resolve("home") + " KUBECACHEDIR=" + dir.resolve("kubecache")
                + " kubectl exec -it shell -- sh; echo $? > " + exit + "; sleep 600";
        tmux("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", "sh", "-c", cmd);
        tmux("set-option", "-t", "t", "status", "off");
        awaitScreen("/tmp #"); // the container's workingDir; capture-pane drops trailing blanks
        tmux("send-keys", "-t", "t", "echo $((6*7))", "Enter");
        awaitScreen("\n42\n");
        tmux("send-keys", "-t", "t", "stty size", "Enter");
        awaitScreen("\n24 80\n");
        tmux("resize-window", "-t", "t", "-x", "100", "-y", "30");
        Thread.sleep(300); // the window change reaches kubectl as SIGWINCH, then the daemon as a resize frame
        tmux("send-keys", "-t", "t", "stty size", "Enter");
        awaitScreen("\n30 100\n");
        tmux("send-keys", "-t", "t", "exit 7", "Enter");
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(exit) && !Files.readString(exit).isBlank());
        assertThat(Files.readString(exit).trim()).isEqualTo("7");
    }

    private void awaitScreen(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String screen;
        while (!(screen = tmux("capture-pane", "-p", "-t", "t")).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the tmux screen did not show " + text.replace("\n", "\\n") + " in 20 s; it shows:\n" + screen);
            }
            Thread.sleep(100);
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", tmuxSocket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s: %s", cmd, out).isTrue();
        return out;
    }
}
