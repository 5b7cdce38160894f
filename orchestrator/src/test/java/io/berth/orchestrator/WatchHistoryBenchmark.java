package io.berth.orchestrator;

import io.berth.orchestrator.store.WatchHistory;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * What the database-kept watch history costs and gives (docs/benchmarks.md): the latency of a
 * label patch through the API (a pod write plus its watch_changes row), the cost of one history
 * row alone, and the time a watch from before a restart takes to replay N changes from the new
 * daemon. The API with the stand-in node ({@link TestNode}). A program, not a test: it prints
 * figures and judges nothing. Usage: WatchHistoryBenchmark [changes]
 */
public final class WatchHistoryBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("berth-watch-bench");
        String pods = "/api/v1/namespaces/default/pods";
        try {
            String from;
            try (DaemonFixture d = new DaemonFixture(dir)) {
                d.removeOnClose = false;
                d.post(pods, "application/json", PodsApiTest.pod("bench"));
                Thread.sleep(500); // the stand-in node's Running report
                from = d.get(pods + "/bench").body().replaceAll("(?s).*\"resourceVersion\":\"(\\d+)\".*", "$1");
                long[] micros = new long[n];
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    var r = d.send(d.request(pods + "/bench").header("Content-Type", "application/merge-patch+json")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"labels\":{\"n\":\"" + i + "\"}}}")));
                    micros[i] = (System.nanoTime() - t) / 1000;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(r.body());
                    }
                }
                Arrays.sort(micros);
                System.out.printf("label patch through the API, %d in a row: p50 %.2f ms, p90 %.2f ms%n", n,
                        micros[n / 2] / 1000.0, micros[n * 9 / 10] / 1000.0);
                // one history row alone, in its own transaction (the write lock held, as in a write)
                var history = d.daemon.context().getBean(WatchHistory.class);
                var versions = d.daemon.context().getBean(io.berth.orchestrator.store.ResourceVersions.class);
                var pod = d.daemon.context().getBean(io.berth.orchestrator.pods.PodService.class).get("default", "bench");
                int rows = 500;
                long t = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    versions.write(v -> {
                        history.record(new WatchHistory.Change(WatchHistory.Type.MODIFIED, v, pod), Instant.now());
                        return null;
                    }, x -> { });
                }
                System.out.printf("one watch_changes row (a version taken, the pod's JSON inserted, commit): %.3f ms each over %d%n",
                        (System.nanoTime() - t) / 1e6 / rows, rows);
            }
            try (DaemonFixture d = new DaemonFixture(dir)) {
                long t = System.nanoTime();
                var w = d.get(pods + "?watch=true&timeoutSeconds=1&resourceVersion=" + from);
                long events = w.body().lines().filter(l -> l.startsWith("{")).count();
                System.out.printf("after a restart, a watch from before %d changes: %d events (the 1 s timeout included) in %.2f s%n",
                        n, events, (System.nanoTime() - t) / 1e9);
            }
        } finally {
            DaemonFixture.deleteTree(dir);
        }
    }
}
