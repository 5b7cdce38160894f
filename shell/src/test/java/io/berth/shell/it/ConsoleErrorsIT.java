package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.shell.it.ConsoleProcess.Result;

/**
 * The console's error paths that are decided before or without a daemon, run as the packaged
 * console: each is one line on stderr, nothing on stdout, and a non-zero status.
 */
class ConsoleErrorsIT {
    @TempDir
    Path home;

    private static void oneLineError(Result r, int exit, String... fragments) {
        r.assertOneLineError(fragments);
        assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
        assertThat(r.out()).as(r.toString()).isEmpty();
    }

    @Test
    void unknownCommandAndOption() {
        oneLineError(ConsoleProcess.run(home, null, "frobnicate"), 2, "unknown command 'frobnicate'", "berth help");
        oneLineError(ConsoleProcess.run(home, null, "get", "pods", "--colour"), 2, "unknown option --colour", "berth get pods --help");
        oneLineError(ConsoleProcess.run(home, null, "get", "secrets"), 2, "unknown command 'get secrets'", "events, nodes, pods");
        oneLineError(ConsoleProcess.run(home, null, "get", "pods", "-o", "table"), 2, "unknown output format 'table'");
    }

    @Test
    void badNamesAreRefusedBeforeTheDaemonIsAsked() {
        oneLineError(ConsoleProcess.run(home, null, "run", "web", "--image", "Busy Box"), 2, "'Busy Box' is not a valid image name");
        oneLineError(ConsoleProcess.run(home, null, "run", "web", "--image", "busybox:"), 2, "'busybox:' is not a valid image name");
        oneLineError(ConsoleProcess.run(home, null, "run", "Web_1", "--image", "busybox"), 2, "'Web_1' is not a valid pod name");
        oneLineError(ConsoleProcess.run(home, null, "run", "web"), 2, "--image is required");
        oneLineError(ConsoleProcess.run(home, null, "run", "web", "--image", "busybox", "--restart", "Sometimes"), 2, "bad --restart 'Sometimes'");
        oneLineError(ConsoleProcess.run(home, null, "run", "web", "--image", "busybox", "--memory", "lots"), 2, "bad --memory 'lots'");
        // Nothing was created: the state root holds no kubeconfig and no daemon was started.
        assertThat(home.resolve("daemon.log")).doesNotExist();
    }

    @Test
    void malformedManifestsNameTheFileAndLine() throws IOException {
        Path bad = home.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n spec: [\n");
        oneLineError(ConsoleProcess.run(home, null, "apply", "-f", bad.toString()), 1, "cannot read " + bad, "line ", "fix the YAML or JSON");
        oneLineError(ConsoleProcess.run(home, "{\"apiVersion\": \"v1\", \"kind\": ", "create", "-f", "-"), 1,
                "cannot read standard input", "fix the YAML or JSON");
        Path deployment = home.resolve("deploy.yaml");
        Files.writeString(deployment, "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: busybox}]}\n---\n"
                + "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n");
        oneLineError(ConsoleProcess.run(home, null, "apply", "-f", deployment.toString()), 1,
                "document at line 6", "holds a Deployment", "serves Pods only");
        oneLineError(ConsoleProcess.run(home, null, "delete", "-f", home.resolve("missing.yaml").toString()), 1,
                "does not exist");
        assertThat(home.resolve("daemon.log")).doesNotExist();
    }

    @Test
    void noDaemonAtAChosenKubeconfigIsSaidAtOnce() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path kubeconfig = home.resolve("elsewhere.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
                users:
                - name: u
                  user: {token: t}
                contexts:
                - name: x
                  context: {cluster: c, user: u}
                current-context: x
                """.formatted(port));
        long start = System.nanoTime();
        Result r = ConsoleProcess.run(home, null, "--kubeconfig", kubeconfig.toString(), "get", "pods");
        oneLineError(r, 1, "no daemon answers at https://127.0.0.1:" + port, "berth daemon");
        // A kubeconfig someone chose is never answered by starting a daemon.
        assertThat(home.resolve("daemon.log")).doesNotExist();
        assertThat((System.nanoTime() - start) / 1_000_000).as("refused at once, no retries").isLessThan(30_000);
        // The commands that read the daemon's metrics say the same in one line.
        for (String[] command : new String[][] {{"metrics"}, {"metrics", "-w"}, {"top", "pods"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--kubeconfig", kubeconfig.toString()),
                    java.util.Arrays.stream(command)).toArray(String[]::new);
            oneLineError(ConsoleProcess.run(home, null, args), 1, "no daemon answers at https://127.0.0.1:" + port);
        }
        oneLineError(ConsoleProcess.run(home, null, "--kubeconfig", home.resolve("none").toString(), "get", "pods"), 1,
                "kubeconfig " + home.resolve("none") + " does not exist");
    }

    @Test
    void noDaemonAndNoneCanStart() throws IOException {
        // The state root cannot be made (its parent is a file): the console says so in one line.
        Path file = home.resolve("a-file");
        Files.writeString(file, "");
        Result r = ConsoleProcess.run(file.resolve("home"), null, "get", "pods");
        oneLineError(r, 1, "no daemon answers and starting one failed", "writable");
    }

    /** The daemon's launcher: a bad flag is one line on stderr and status 2, and makes no state root. */
    @Test
    void aBadDaemonFlagIsOneLineAndMakesNoStateRoot() throws Exception {
        Path state = home.resolve("state");
        for (String[] flags : new String[][] {{"--restart-backoff", "fast"}, {"--restart-backoff=1m,10s,10m"}, {"--port", "x"}}) {
            List<String> cmd = new ArrayList<>(List.of(ConsoleProcess.CHECKOUT.resolve("bin/berth").toString(), "daemon", "--state", state.toString()));
            cmd.addAll(List.of(flags));
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(err).isTrue();
            assertThat(p.exitValue()).as(err).isEqualTo(2);
            assertThat(err.lines().toList()).as(err).singleElement().asString().startsWith("berth daemon: " + flags[0].replaceAll("=.*", ""));
            assertThat(state).as("state root after " + String.join(" ", flags)).doesNotExist();
        }
    }
}
