package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.berth.shell.it.ConsoleProcess.Result;

/**
 * The packaged console (bin/berth) in one-shot mode against a real daemon (bin/berth daemon) that
 * runs real busybox pods: what each command prints, its exit status, and what it leaves behind.
 */
class ConsoleAgainstDaemonIT {
    private static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static Result ok(String... args) {
        return daemon.ok(args);
    }

    private static void fails(Result r, String... fragments) {
        r.assertOneLineError(fragments);
    }

    private static void awaitRunning(String pod) {
        Awaitility.await().atMost(90, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                .until(() -> daemon.berth("get", "pods", pod).out().matches("(?s).*\\n" + pod + "\\s+1/1\\s+Running\\s+0\\s+\\S+\\n"));
    }

    @Test
    void versionNamesBothSides() {
        Result r = ok("version");
        assertThat(r.out()).startsWith("Client Version: berth ").contains("Server Version: v1.32");
    }

    @Test
    void runShowsTheHostnameThatItIsPid1AndWhatPsSees() {
        Result run = ok("run", "shown", "--image", "busybox", "--hostname", "inside", "--",
                "sh", "-c", "hostname; echo pid $$; ps; exec sleep 3600");
        assertThat(run.out()).isEqualTo("pod/shown created\n");
        awaitRunning("shown");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> daemon.berth("logs", "shown").out().contains("PID"));
        String logs = ok("logs", "shown").out();
        assertThat(logs).startsWith("inside\npid 1\n");
        // ps inside sees only the pod's own processes: sh as PID 1 and ps itself.
        assertThat(logs.lines().filter(l -> l.matches("\\s*\\d+\\s+.*")).count()).isBetween(1L, 3L);
        assertThat(ok("logs", "shown", "--tail", "1").out().lines().count()).isEqualTo(1);
        // Each line with the time its monitor read it, as kubectl logs --timestamps prints it.
        assertThat(ok("logs", "shown", "--timestamps").out())
                .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z inside$")
                .containsPattern("(?m)^\\S+Z pid 1$");
        ok("delete", "pod", "shown", "--now");
    }

    @Test
    void getPodsInEveryFormatAndWithSelectors() {
        ok("run", "lister", "--image", "busybox", "-l", "app=web,tier=front", "--", "sleep", "3600");
        awaitRunning("lister");
        assertThat(ok("get", "pods").out()).containsPattern("(?m)^NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE$")
                .containsPattern("(?m)^lister\\s+1/1\\s+Running\\s+0\\s+\\d+s$");
        assertThat(ok("get", "pods", "lister", "-o", "wide").out()).containsPattern("(?m)^NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE$");
        assertThat(ok("get", "pods", "-l", "app=web", "-o", "name").out()).contains("pod/lister\n");
        assertThat(ok("get", "pods", "-l", "tier,app notin (web)", "-o", "name").out()).doesNotContain("pod/lister");
        assertThat(ok("get", "pods", "-l", "tier,app notin (db)", "-o", "name").out()).contains("pod/lister");
        assertThat(ok("get", "pods", "-l", "app!=web", "-o", "name").out()).doesNotContain("pod/lister");
        assertThat(ok("get", "pod", "lister", "-o", "json").out()).contains("\"kind\": \"Pod\"").contains("\"name\": \"lister\"");
        assertThat(ok("get", "po", "lister", "-o", "yaml").out()).contains("kind: Pod").contains("  name: lister");
        assertThat(ok("get", "pods", "-o", "yaml").out()).startsWith("apiVersion: v1\n").contains("kind: List");
        assertThat(ok("get", "pods", "--show-labels", "lister").out()).contains("app=web,tier=front");
        ok("delete", "pod", "lister", "--now");
    }

    @Test
    void describeShowsContainersLimitsAndEvents() {
        ok("run", "described", "--image", "busybox", "--memory", "64Mi", "--cpus", "0.5", "--env", "GREETING=hello world",
                "--restart", "Never", "--", "sleep", "3600");
        awaitRunning("described");
        String d = ok("describe", "pod", "described").out();
        assertThat(d).containsPattern("(?m)^Name:\\s+described$").containsPattern("(?m)^Status:\\s+Running$")
                .containsPattern("(?m)^Restart Policy:\\s+Never$").containsPattern("(?m)^\\s+Image:\\s+busybox$")
                .containsPattern("(?m)^\\s+memory:\\s+64Mi$").containsPattern("(?m)^\\s+cpu:\\s+0.5$")
                .contains("GREETING:  hello world").containsPattern("(?m)^Events:$");
        assertThat(ok("get", "events").out()).contains("pod/described");
        ok("delete", "pod", "described", "--now");
    }

    @Test
    void deleteWaitsUntilThePodIsGoneAndUnknownPodsAreOneLineErrors() {
        ok("run", "doomed", "--image", "busybox", "--", "sleep", "3600");
        awaitRunning("doomed");
        assertThat(ok("delete", "pod", "doomed", "--grace-period", "1").out()).isEqualTo("pod \"doomed\" deleted\n");
        fails(daemon.berth("get", "pods", "doomed"), "pod \"doomed\" not found", "berth get pods");
        fails(daemon.berth("delete", "pod", "doomed"), "pod \"doomed\" not found");
        fails(daemon.berth("describe", "pod", "doomed"), "pod \"doomed\" not found");
        fails(daemon.berth("logs", "doomed"), "pod \"doomed\" not found");
    }

    @Test
    void aRunThatCannotHaveItsImageLeavesNoPod() {
        Result r = daemon.berth("run", "imageless", "--image", "no-such-image:1.0", "--pull", "Never");
        fails(r, "image \"no-such-image:1.0\" cannot be had", "pod/imageless was removed again");
        assertThat(daemon.berth("get", "pods", "imageless").exit()).isNotZero();
        ok("run", "twice", "--image", "busybox", "--", "sleep", "3600");
        fails(daemon.berth("run", "twice", "--image", "busybox", "--", "sleep", "3600"), "\"twice\" already exists");
        ok("delete", "pod", "twice", "--now");
    }

    @Test
    void applyCreatesLeavesUnchangedAndReplaces() throws Exception {
        Path file = daemon.dir.resolve("apply.yaml");
        Files.writeString(file, pod("applied", "sleep 3600"));
        assertThat(ok("apply", "-f", file.toString()).out()).isEqualTo("pod/applied created\n");
        assertThat(ok("apply", "-f", file.toString()).out()).isEqualTo("pod/applied unchanged\n");
        Files.writeString(file, pod("applied", "sleep 3601"));
        assertThat(ok("apply", "-f", file.toString()).out()).isEqualTo("pod/applied configured\n");
        assertThat(ok("get", "pod", "applied", "-o", "yaml").out()).contains("3601");
        assertThat(ok("delete", "-f", file.toString()).out()).isEqualTo("pod \"applied\" deleted\n");
    }

    @Test
    void createFromStandardInputIsAllOrNothing() {
        String both = pod("first", "sleep 3600") + "---\n" + pod("second", "sleep 3600");
        assertThat(daemon.berthWithInput(both, "create", "-f", "-").out()).isEqualTo("pod/first created\npod/second created\n");
        // "second" exists now: creating "third" and "second" again fails, and "third" is taken back.
        String again = pod("third", "sleep 3600") + "---\n" + pod("second", "sleep 3600");
        Result r = daemon.berthWithInput(again, "create", "-f", "-");
        fails(r, "pod/second", "already exists", "pod/third deleted again");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> daemon.berth("get", "pods", "third").exit() != 0);
        assertThat(daemon.berthWithInput(both, "delete", "-f", "-", "--now").out())
                .isEqualTo("pod \"first\" deleted\npod \"second\" deleted\n");
    }

    @Test
    void nodesAndEvents() {
        assertThat(ok("get", "nodes").out()).containsPattern("(?m)^NAME\\s+STATUS\\s+ROLES\\s+AGE\\s+VERSION$")
                .containsPattern("(?m)^\\S+\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32");
        assertThat(ok("describe", "node").out()).contains("Kernel Version:");
        fails(daemon.berth("get", "nodes", "no-such-node"), "node \"no-such-node\" not found");
    }

    private static String pod(String name, String command) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: busybox
                    imagePullPolicy: IfNotPresent
                    command: [sh, -c, "exec %s"]
                """.formatted(name, command);
    }
}
