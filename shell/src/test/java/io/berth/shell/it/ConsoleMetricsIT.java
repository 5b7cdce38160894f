package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.berth.shell.it.ConsoleProcess.Result;

/**
 * The console's views of a running daemon: {@code top pods} (its metrics.k8s.io PodMetrics),
 * {@code metrics} (its Prometheus metrics) and {@code get events -w}, against a real daemon
 * running a real pod.
 */
class ConsoleMetricsIT {
    private static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        // A pod that holds some memory of its own: a shell that keeps 8 MiB in a variable.
        ok("run", "hog", "--image", "busybox", "--", "sh", "-c",
                "x=$(head -c 8388608 /dev/zero | tr '\\0' a); while true; do sleep 1; done");
        // A pod whose container fails after a second and is restarted (reason Error).
        ok("run", "crash", "--image", "busybox", "--", "sh", "-c", "sleep 1; exit 3");
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

    @Test
    void topPodsShowsARunningPodsMemory() {
        Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(1, TimeUnit.SECONDS).untilAsserted(() -> {
            Result all = ok("top", "pods");
            assertThat(all.out()).as(all.toString()).containsPattern("NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\n")
                    .containsPattern("hog\\s+\\d+m\\s+\\d+Mi\\n");
            int mebibytes = Integer.parseInt(all.out().replaceAll("(?s).*hog\\s+\\d+m\\s+(\\d+)Mi.*", "$1"));
            assertThat(mebibytes).as("the shell holds 8 MiB").isGreaterThanOrEqualTo(8);
        });
        assertThat(ok("top", "pod", "hog").out()).containsPattern("^NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\nhog\\s+\\d+m\\s+\\d+Mi\\n$");
        assertThat(ok("top", "pods", "--containers").out()).containsPattern("POD\\s+NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\nhog\\s+hog\\s+\\d+m");
        Result missing = daemon.berth("top", "pod", "nosuch");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).as(missing.toString()).isEqualTo("error: pod \"nosuch\" not found: `berth get pods` lists the pods there are\n");
    }

    @Test
    void metricsShowsPercentilesAfterAPodStarted() {
        Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(1, TimeUnit.SECONDS)
                .until(() -> daemon.berth("get", "pods", "hog").out().contains("Running"));
        Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(1, TimeUnit.SECONDS)
                .until(() -> daemon.berth("metrics").out().matches("(?s).*Container restarts by reason:\nREASON\\s+RESTARTS\nError\\s+[1-9].*"));
        Result r = ok("metrics");
        assertThat(r.out()).as(r.toString())
                .containsPattern("PHASE\\s+PODS\\s+P50\\s+P90\\s+P99\\n")
                .containsPattern("total \\(end to end\\)\\s+\\d+\\s+\\d+(ms|\\.\\d+s)\\s+\\d+(ms|\\.\\d+s)\\s+\\d+(ms|\\.\\d+s)\\n")
                .containsPattern("ready\\s+\\d+\\s+\\d+")
                .contains("End-to-end start-up latency, pods per bucket:")
                .containsPattern("<= \\d+(ms|\\.\\d+s) [█▏▎▍▌▋▊▉]+ +\\d+\\n")
                .contains("Container restarts by reason:")
                .containsPattern("Pods by phase:\\nPHASE\\s+PODS\\n(?s).*Running\\s+[1-9]");
        assertThat(r.err()).isEmpty();
    }

    /** Not on a terminal, -w prints one report after another (no cursor movement) until it is stopped. */
    @Test
    void metricsWatchRepeatsWithoutATerminal() throws Exception {
        Process p = start("metrics", "-w");
        try {
            String out = readUntil(p.getInputStream(), "Pods by phase:", 2, 30);
            assertThat(out).doesNotContain("\033[");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void getEventsWatchSeesANewEvent() throws Exception {
        Process p = start("get", "events", "-w");
        try {
            InputStream in = p.getInputStream();
            // The listing first (the hog's events), then the new pod's, as they happen.
            readUntil(in, "pod/hog", 1, 30);
            ok("run", "newcomer", "--image", "busybox", "--", "sleep", "3600");
            String more = readUntil(in, "pod/newcomer", 1, 30);
            assertThat(more).containsPattern("Normal\\s+\\w+\\s+pod/newcomer");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            ok("delete", "pod", "newcomer", "--now");
        }
        Result json = daemon.berth("get", "events", "-w", "-o", "json");
        assertThat(json.exit()).as(json.toString()).isEqualTo(2);
        assertThat(json.err()).contains("-w prints table rows or names");
    }

    private static Process start(String... args) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(ConsoleProcess.launcher().toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(Map.of("BERTH_HOME", daemon.home.toString(), "NO_COLOR", "1"));
        return pb.start();
    }

    /** Reads until {@code text} was seen {@code times} times; fails after {@code seconds}. */
    private static String readUntil(InputStream in, String text, int times, int seconds) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        var reader = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    synchronized (seen) {
                        seen.write(b);
                        String s = seen.toString(StandardCharsets.UTF_8);
                        if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        try {
            reader.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            synchronized (seen) {
                throw new AssertionError("never saw '" + text + "' " + times + " times in:\n" + seen.toString(StandardCharsets.UTF_8));
            }
        }
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }
}
