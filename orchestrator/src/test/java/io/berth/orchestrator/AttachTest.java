package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.Monitors;
import io.berth.testkit.Requirements;
import io.berth.testkit.Tmux;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kubectl attach and kubectl run -it against the daemon with its real node side: a terminal
 * container driven in tmux (its shell answers, the window size follows, Ctrl-C reaches a sleep), a
 * stdin container fed through a pipe whose end is the container's EOF, a container without stdin
 * whose output is streamed, refusals, and no monitor left once the pods are gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttachTest {

    private DaemonFixture d;
    private Tmux tmux;

    @BeforeAll
    void start() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        tmux = new Tmux("berth-attach-test");
        try {
            d = DaemonFixture.realNode("attach");
            String pods = """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: term}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: main, image: busybox, imagePullPolicy: IfNotPresent, command: [sh], stdin: true, tty: true}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: piped}
                    spec:
                      terminationGracePeriodSeconds: 1
                      restartPolicy: Never
                      containers:
                      - name: main
                        image: busybox
                        imagePullPolicy: IfNotPresent
                        command: [sh, -c, "while read l; do echo got $l; echo err $l >&2; done; echo eof"]
                        stdin: true
                        stdinOnce: true
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: ticker}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: main, image: busybox, imagePullPolicy: IfNotPresent,
                         command: [sh, -c, "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]}
                    """;
            DaemonFixture.Result created = d.kubectlWithInput(pods, "apply", "-f", "-");
            assertThat(created.exit()).as(created.toString()).isZero();
            for (String name : List.of("term", "piped", "ticker")) {
                Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                        d.kubectl("get", "pod", name, "-o", "jsonpath={.status.phase}").out().equals("Running"));
            }
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
                try {
                    d.kubectl("delete", "pods", "--all", "--grace-period=0", "--timeout=60s");
                    // Every monitor went with its container: no directory, no process.
                    Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() ->
                            Monitors.processes(d.root.dir()).isEmpty() && Monitors.directories(d.root.dir()).isEmpty());
                } finally {
                    d.close();
                }
            }
        }
    }

    @Test
    void kubectlAttachToATerminal() throws Exception {
        Path exit = d.dir.resolve("attach-exit");
        tmux.start("a", 80, 24, kubectl("attach -it term") + "; echo $? > " + exit + "; sleep 600");
        tmux.await("a", "If you don't see a command prompt", 30);
        tmux.type("a", "echo $((6*7))");
        tmux.await("a", "\n42\n", 30);
        tmux.type("a", "stty size");
        tmux.await("a", "\n24 80\n", 30);
        tmux.resize("a", 100, 30);
        Thread.sleep(300);
        tmux.type("a", "stty size");
        tmux.await("a", "\n30 100\n", 30);
        tmux.type("a", "sleep 300");
        Thread.sleep(500);
        tmux.keys("a", "C-c");
        tmux.await("a", "^C", 30);
        tmux.type("a", "echo slept=$?");
        tmux.await("a", "slept=130", 30); // SIGINT (128+2) reached the sleep through the terminal
        // The container's shell ends: so do the attach (kubectl's status 0) and the run; Always restarts it.
        tmux.type("a", "exit 3");
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> Files.exists(exit) && !Files.readString(exit).isBlank());
        assertThat(Files.readString(exit).trim()).isEqualTo("0");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", "term", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"
                        + "/{.status.containerStatuses[0].lastState.terminated.exitCode}").out().equals("1/3"));
    }

    @Test
    void kubectlRunItRm() throws Exception {
        Path exit = d.dir.resolve("run-exit");
        tmux.start("r", 80, 24,
                kubectl("run once --image=busybox --image-pull-policy=IfNotPresent -it --rm --restart=Never -- sh") + "; echo $? > " + exit
                        + "; sleep 600");
        tmux.await("r", "If you don't see a command prompt", 30);
        tmux.type("r", "echo answer=$((6*7))");
        tmux.await("r", "answer=42", 30);
        tmux.type("r", "exit 5");
        Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> Files.exists(exit) && !Files.readString(exit).isBlank());
        assertThat(Files.readString(exit).trim()).isEqualTo("5");
        assertThat(d.kubectl("get", "pod", "once").err()).contains("not found");
    }

    @Test
    void pipedStdinReachesTheContainerAndItsEndIsEof() throws Exception {
        DaemonFixture.Result r = d.kubectlWithInput("a\nb\n", "attach", "-i", "piped");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("got a\ngot b\neof\n");
        assertThat(r.err()).contains("err a\nerr b\n");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", "piped", "-o", "jsonpath={.status.phase}").out().equals("Succeeded"));
        DaemonFixture.Result logs = d.kubectl("logs", "piped");
        // stdout and stderr in the one log file, each in its order (their interleaving is the monitor's reads)
        assertThat(logs.out().lines().filter(l -> !l.startsWith("err"))).containsExactly("got a", "got b", "eof");
        assertThat(logs.out().lines().filter(l -> l.startsWith("err"))).containsExactly("err a", "err b");
    }

    @Test
    void attachToAContainerWithoutStdinStreamsItsOutput() throws Exception {
        Process p = d.kubectlProcess("attach", "ticker");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            String second = out.readLine();
            assertThat(first).startsWith("tick ");
            assertThat(Integer.parseInt(second.substring(5))).isEqualTo(Integer.parseInt(first.substring(5)) + 1);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDaemonKeepsNoPipeOrDirectoryOfAMonitor() throws Exception {
        java.util.Set<String> before = monitorFds();
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: leaky}
                spec:
                  terminationGracePeriodSeconds: 1
                  restartPolicy: Never
                  containers:
                  - {name: main, image: busybox, imagePullPolicy: IfNotPresent, command: [cat], stdin: true, stdinOnce: true}
                """;
        assertThat(d.kubectlWithInput(pod, "apply", "-f", "-").exit()).isZero();
        Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", "leaky", "-o", "jsonpath={.status.phase}").out().equals("Running"));
        DaemonFixture.Result r = d.kubectlWithInput("x\n", "attach", "-i", "leaky");
        assertThat(r.out()).as(r.toString()).isEqualTo("x\n");
        assertThat(d.kubectl("delete", "pod", "leaky", "--timeout=60s").exit()).isZero();
        // The monitor's pipes and directory were the JVM's only while the container was created.
        Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(monitorFds()).isSubsetOf(before));
    }

    /** This JVM's pipes and its files of monitors and logs (kubectl's HTTP connections come and go as sockets). */
    private java.util.Set<String> monitorFds() throws Exception {
        String attach = d.root.dir().resolve("attach").toString();
        String logs = d.root.dir().resolve("pods").toString();
        return io.berth.testkit.OpenFds.now().stream().filter(f -> f.contains("pipe:") || f.contains(attach) || f.contains(logs))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void refusalsAreStatuses() throws Exception {
        DaemonFixture.Result nope = d.kubectl("attach", "nope");
        assertThat(nope.exit()).isNotZero();
        assertThat(nope.err()).contains("pods \"nope\" not found");
        DaemonFixture.Result other = d.kubectl("attach", "term", "-c", "other");
        assertThat(other.exit()).isNotZero();
        assertThat(other.err()).contains("container other");
    }

    private String kubectl(String args) {
        return d.kubectlCommandLine(args);
    }
}
