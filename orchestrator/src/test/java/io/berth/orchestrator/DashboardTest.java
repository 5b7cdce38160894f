package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.Requirements;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/prometheus/prometheus.yml and deploy/grafana/berth-dashboard.json against a real daemon
 * with real pods and a real Prometheus (Debian's package) on loopback: Prometheus scrapes the daemon
 * over HTTPS with the token and the daemon's CA, and every PromQL expression of the dashboard
 * returns data once pods have started and one has restarted.
 */
class DashboardTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyDashboardQueryReturnsDataFromARealPrometheus() throws Exception {
        Requirements.root();
        Path prometheus = Requirements.command("prometheus", "prometheus");
        Path checkout = RealNode.checkout();
        JsonNode dashboard = JSON.readTree(Files.readString(checkout.resolve("deploy/grafana/berth-dashboard.json")));
        String scrapeConfig = Files.readString(checkout.resolve("deploy/prometheus/prometheus.yml"));

        Path dir = RealNode.dirWithBusybox("berth-dashboard-test");
        Process prom = null;
        try (DaemonFixture d = DaemonFixture.withNode(dir, "dashboard")) {
            try {
                int promPort = freePort();
                Path promDir = dir.resolve("prometheus");
                Files.createDirectories(promDir.resolve("data"));
                // The shipped file, pointed at this daemon's state root and port, scraping every second.
                String config = scrapeConfig.replace("/var/lib/berth/token", d.root.token().toString())
                        .replace("/var/lib/berth/pki/ca.crt", d.root.caCertificate().toString())
                        .replace("127.0.0.1:6443", "127.0.0.1:" + d.port)
                        .replace("scrape_interval: 15s", "scrape_interval: 1s");
                assertThat(config.replaceAll("(?m)^\\s*#.*$", "")).as("the scrape config names the default token, CA and port")
                        .doesNotContain("/var/lib/berth", ":6443");
                Files.writeString(promDir.resolve("prometheus.yml"), config);
                prom = new ProcessBuilder(prometheus.toString(), "--config.file=" + promDir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                        "--storage.tsdb.retention.time=1h")
                        .redirectErrorStream(true).redirectOutput(promDir.resolve("log").toFile()).start();
                Prometheus p = new Prometheus(URI.create("http://127.0.0.1:" + promPort), promDir.resolve("log"));
                run(d, p, dashboard);
            } finally {
                if (prom != null) {
                    prom.destroy();
                    if (!prom.waitFor(20, TimeUnit.SECONDS)) {
                        prom.destroyForcibly().waitFor();
                    }
                }
            }
        }
    }

    private static void run(DaemonFixture d, Prometheus p, JsonNode dashboard) throws Exception {
        Awaitility.await("Prometheus ready").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> p.get("/-/ready").statusCode() == 200);
        Awaitility.await("the daemon scraped").atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(p.scalar("up{job=\"berth\"}")).as(p.targets()).isEqualTo(1.0));

        // One pod first, so that the start-up histogram exists before the next ones move it (rate needs two samples).
        create(d, "first", "exec sleep 3600", "Always");
        awaitRunning(d, "first");
        Thread.sleep(3000);
        create(d, "second", "exec sleep 3600", "Always");
        create(d, "third", "exec sleep 3600", "Always");
        // Exits once after a second; the first restart is immediate (BackoffPolicy), so restartCount reaches 1.
        create(d, "crash", "sleep 1; exit 3", "Always");
        awaitRunning(d, "second");
        awaitRunning(d, "third");
        // The node's own steps of a start-up, each timed on its own (issue 12: per phase).
        String scraped = d.get("/actuator/prometheus").body();
        for (String step : java.util.List.of("image", "sandbox", "rootfs", "monitor", "create", "start")) {
            assertThat(scraped).containsPattern("berth_pod_startup_seconds_count\\{outcome=\"success\",phase=\"" + step + "\"\\} [1-9]");
        }
        Awaitility.await("a restart").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() ->
                d.kubectl("get", "pod", "crash", "-o", "jsonpath={.status.containerStatuses[0].restartCount}").out().matches("[1-9][0-9]*"));
        Awaitility.await("the restart scraped").atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(p.scalar("sum(berth_container_restarts_total)")).isGreaterThanOrEqualTo(1.0));
        Thread.sleep(2000);

        Map<String, String> exprs = expressions(dashboard);
        assertThat(exprs).as("the dashboard's queries").hasSizeGreaterThanOrEqualTo(6);
        for (Map.Entry<String, String> e : exprs.entrySet()) {
            // Grafana's own variables, as Grafana would fill them in for a short range.
            String promql = e.getValue().replace("$__rate_interval", "1m").replace("$__interval", "1m");
            JsonNode result = p.query(promql);
            assertThat(result.size()).as(e.getKey() + ": " + promql + " returned no series").isPositive();
            for (JsonNode series : result) {
                String value = series.get("value").get(1).asString();
                assertThat(value).as(e.getKey() + ": " + promql + " gave " + series).isNotIn("NaN", "+Inf", "-Inf");
            }
        }
        double median = p.scalar("histogram_quantile(0.5, sum by (le) (rate(berth_pod_startup_seconds_bucket{phase=\"total\",outcome=\"success\"}[1m])))");
        assertThat(median).as("median start-up latency in seconds").isGreaterThan(0.0).isLessThan(30.0);
        assertThat(p.scalar("sum(increase(berth_container_restarts_total[1m]))")).as("restarts in the last minute").isGreaterThan(0.0);
        assertThat(p.scalar("sum(berth_pods{phase=\"Running\"})")).isGreaterThanOrEqualTo(3.0);
    }

    /** Each target's expression by "panel title / refId". */
    static Map<String, String> expressions(JsonNode dashboard) {
        Map<String, String> out = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.get("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            JsonNode panel = panels.get(i);
            if (panel.has("panels")) {
                panel.get("panels").forEach(panels::add); // collapsed rows hold their panels
            }
            if (panel.has("targets")) {
                for (JsonNode t : panel.get("targets")) {
                    out.put(panel.get("title").asString() + " / " + t.get("refId").asString(), t.get("expr").asString());
                }
            }
        }
        return out;
    }

    private static void create(DaemonFixture d, String name, String script, String restartPolicy) throws Exception {
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
                 "spec":{"restartPolicy":"%s","terminationGracePeriodSeconds":0,
                  "containers":[{"name":"main","image":"busybox","imagePullPolicy":"IfNotPresent","command":["sh","-c","%s"]}]}}"""
                .formatted(name, restartPolicy, script);
        HttpResponse<String> r = d.post("/api/v1/namespaces/default/pods", "application/json", pod);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static void awaitRunning(DaemonFixture d, String name) {
        Awaitility.await(name + " running").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() ->
                d.get("/api/v1/namespaces/default/pods/" + name).body().contains("\"phase\":\"Running\""));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Prometheus's HTTP API. */
    record Prometheus(URI base, Path log) {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The instant vector a query returns (status success is asserted). */
        JsonNode query(String promql) throws IOException, InterruptedException {
            HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(promql + ": " + r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("status").asString()).as(r.body()).isEqualTo("success");
            assertThat(body.get("data").get("resultType").asString()).as(r.body()).isEqualTo("vector");
            return body.get("data").get("result");
        }

        /** The single value of a query that returns one series; NaN when it returns none. */
        double scalar(String promql) throws IOException, InterruptedException {
            JsonNode result = query(promql);
            if (result.isEmpty()) {
                return Double.NaN;
            }
            assertThat(result.size()).as(promql + " returned " + result).isEqualTo(1);
            return Double.parseDouble(result.get(0).get("value").get(1).asString());
        }

        String targets() {
            try {
                return "targets: " + get("/api/v1/targets").body() + "\nlog:\n" + Files.readString(log);
            } catch (Exception e) {
                return "targets unavailable: " + e;
            }
        }
    }
}
