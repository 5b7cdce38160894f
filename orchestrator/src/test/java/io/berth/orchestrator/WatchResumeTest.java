package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.store.ResourceVersions;
import io.berth.orchestrator.store.WatchHistory;
import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Watches resume from a resourceVersion across a daemon restart (the history is in H2), expire
 * with 410 only beyond the kept window, and send BOOKMARK events and the watch-list protocol's
 * initial events when asked. The API with {@link TestNode}; the resumed watch is read by the real
 * kubectl too.
 */
class WatchResumeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PODS = "/api/v1/namespaces/default/pods";

    private static List<JsonNode> events(String body) {
        return body.lines().filter(l -> !l.isBlank()).map(l -> (JsonNode) JSON.readTree(l)).toList();
    }

    private static String describe(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asString() + " " + e.path("object").path("metadata").path("name").asString("")
                + "@" + e.path("object").path("metadata").path("resourceVersion").asString()).toList().toString();
    }

    @Test
    void aWatchFromBeforeARestartGetsEveryChangeSinceThenAndOnlyPrunedHistoryExpires() throws Exception {
        Requirements.command("kubectl", "kubectl");
        Path dir = Files.createTempDirectory("berth-watch-test");
        String from;
        try {
            try (DaemonFixture d = new DaemonFixture(dir)) {
                d.removeOnClose = false;
                var a = d.post(PODS, "application/json", PodsApiTest.pod("resume-a"));
                assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
                from = JSON.readTree(a.body()).path("metadata").path("resourceVersion").asString();
                var label = d.send(d.request(PODS + "/resume-a").header("Content-Type", "application/merge-patch+json")
                        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"labels\":{\"tier\":\"db\"}}}")));
                assertThat(label.statusCode()).as(label.body()).isEqualTo(200);
                assertThat(d.post(PODS, "application/json", PodsApiTest.pod("resume-b")).statusCode()).isEqualTo(201);
                assertThat(d.send(d.request(PODS + "/resume-b?gracePeriodSeconds=0").DELETE()).statusCode()).isEqualTo(200);
                Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> d.get(PODS + "/resume-b").statusCode() == 404);
            }
            try (DaemonFixture d = new DaemonFixture(dir)) {
                // A new daemon, the same database: everything after "from", in order, deletion included.
                var w = d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=" + from);
                assertThat(w.statusCode()).isEqualTo(200);
                List<JsonNode> seen = events(w.body());
                List<String> kinds = seen.stream().map(e -> e.path("type").asString() + " "
                        + e.path("object").path("metadata").path("name").asString()).toList();
                assertThat(kinds).as(describe(seen)).contains("MODIFIED resume-a", "ADDED resume-b", "DELETED resume-b");
                assertThat(kinds.indexOf("ADDED resume-b")).isLessThan(kinds.indexOf("DELETED resume-b"));
                assertThat(seen).noneMatch(e -> e.path("type").asString().equals("ERROR"));
                long previous = Long.parseLong(from);
                for (JsonNode e : seen) {
                    long v = Long.parseLong(e.path("object").path("metadata").path("resourceVersion").asString());
                    assertThat(v).as("versions rise: " + describe(seen)).isGreaterThan(previous);
                    previous = v;
                }
                JsonNode labelled = seen.stream().filter(e -> e.path("type").asString().equals("MODIFIED")
                        && e.path("object").path("metadata").path("name").asString().equals("resume-a")).findFirst().orElseThrow();
                assertThat(labelled.path("object").path("metadata").path("labels").path("tier").asString()).isEqualTo("db");

                // The real kubectl reads the same resumed stream.
                DaemonFixture.Result raw = d.kubectl("get", "--raw", PODS + "?watch=true&timeoutSeconds=1&resourceVersion=" + from);
                assertThat(raw.exit()).as(raw.toString()).isZero();
                assertThat(raw.out()).contains("\"type\":\"DELETED\"").contains("resume-b");

                // Beyond the window: the history pruned past "from" (here: keep nothing), so 410 Expired.
                d.daemon.context().getBean(ResourceVersions.class).read(() -> {
                    d.daemon.context().getBean(WatchHistory.class).prune(Instant.now(), 0, Duration.ofHours(1));
                    return null;
                });
                var expired = events(d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=" + from).body());
                assertThat(expired).hasSize(1);
                assertThat(expired.get(0).path("type").asString()).isEqualTo("ERROR");
                assertThat(expired.get(0).path("object").path("code").asInt()).isEqualTo(410);
                assertThat(expired.get(0).path("object").path("reason").asString()).isEqualTo("Expired");
                assertThat(expired.get(0).path("object").path("message").asString()).contains("too old resource version: " + from);
                // ...and a watch from the current version still works after the pruning.
                String now = JSON.readTree(d.get(PODS).body()).path("metadata").path("resourceVersion").asString();
                assertThat(events(d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=" + now).body()))
                        .noneMatch(e -> e.path("type").asString().equals("ERROR"));
            }
        } finally {
            DaemonFixture.deleteTree(dir);
        }
    }

    @Test
    void aRestartHandsTheNodeEveryRecordedPodBoundAsWrittenAndInOrder() throws Exception {
        // More pods than PodStore binds on one thread (64): the list is bound on several, in order.
        int n = 70;
        Path dir = Files.createTempDirectory("berth-resume-list-test");
        try {
            List<String> names = new java.util.ArrayList<>();
            try (DaemonFixture d = new DaemonFixture(dir)) {
                d.removeOnClose = false;
                for (int i = 0; i < n; i++) {
                    String name = "many-%02d".formatted(i);
                    names.add(name);
                    String body = PodsApiTest.pod(name).replace("\"app\":\"web\"", "\"app\":\"web\",\"index\":\"" + i + "\"");
                    assertThat(d.post(PODS, "application/json", body).statusCode()).isEqualTo(201);
                }
            }
            try (DaemonFixture d = new DaemonFixture(dir)) {
                // The take-over ran beside the start, and the start waited for it.
                assertThat(d.node.resumed).hasSize(1);
                List<io.fabric8.kubernetes.api.model.Pod> resumed = List.copyOf(d.node.resumed.get(0));
                assertThat(resumed).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(names);
                for (var p : resumed) {
                    assertThat(p.getMetadata().getLabels()).containsEntry("index", Integer.toString(names.indexOf(p.getMetadata().getName())));
                    assertThat(p.getSpec().getContainers().get(0).getCommand()).containsExactly("sleep", "3600");
                }
                JsonNode items = JSON.readTree(d.get(PODS).body()).path("items");
                List<String> listed = new java.util.ArrayList<>();
                items.forEach(item -> listed.add(item.path("metadata").path("name").asString()));
                assertThat(listed).containsExactlyElementsOf(names);
                // And the node side is asked again after the take-over: a new pod reaches it.
                var late = d.post(PODS, "application/json", PodsApiTest.pod("many-late"));
                assertThat(late.statusCode()).as(late.body()).isEqualTo(201);
                assertThat(d.node.synced).contains(JSON.readTree(late.body()).path("metadata").path("uid").asString());
            }
        } finally {
            DaemonFixture.deleteTree(dir);
        }
    }

    @Test
    void aDatabaseMadeBeforeTheHistoryExistedResumesOnlyFromItsLastVersion() throws Exception {
        Path dir = Files.createTempDirectory("berth-watch-migration-test");
        try {
            // The schema of the previous release (V2), with versions its writes took.
            io.berth.orchestrator.daemon.StateRoot root = new io.berth.orchestrator.daemon.StateRoot(dir.resolve("state"));
            String url = "jdbc:h2:file:" + root.database();
            org.flywaydb.core.Flyway.configure().dataSource(url, "berth", "").locations("classpath:db/migration").target("2")
                    .load().migrate();
            try (var c = java.sql.DriverManager.getConnection(url, "berth", ""); var st = c.createStatement()) {
                for (int i = 0; i < 5; i++) {
                    st.execute("SELECT NEXT VALUE FOR resource_version");
                }
            }
            try (DaemonFixture d = new DaemonFixture(dir)) {
                // V3 has no history of those writes: before the last of them is 410, from it is fine.
                var old = events(d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=3").body());
                assertThat(old).hasSize(1);
                assertThat(old.get(0).path("object").path("code").asInt()).isEqualTo(410);
                assertThat(events(d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=5").body()))
                        .noneMatch(e -> e.path("type").asString().equals("ERROR"));
            }
        } finally {
            DaemonFixture.deleteTree(dir);
        }
    }

    @Test
    void bookmarksAndTheInitialEventsOfAWatchList() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            assertThat(d.post(PODS, "application/json", PodsApiTest.pod("listed")).statusCode()).isEqualTo(201);
            String version = JSON.readTree(d.get(PODS).body()).path("metadata").path("resourceVersion").asString();

            // sendInitialEvents: the pods as ADDED, then a bookmark marking their end, at the list's version.
            var list = events(d.get(PODS + "?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true"
                    + "&resourceVersionMatch=NotOlderThan").body());
            assertThat(list.get(0).path("type").asString()).as(describe(list)).isEqualTo("ADDED");
            assertThat(list.get(0).path("object").path("metadata").path("name").asString()).isEqualTo("listed");
            JsonNode end = list.get(1);
            assertThat(end.path("type").asString()).as(describe(list)).isEqualTo("BOOKMARK");
            assertThat(end.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end").asString()).isEqualTo("true");
            assertThat(Long.parseLong(end.path("object").path("metadata").path("resourceVersion").asString()))
                    .isGreaterThanOrEqualTo(Long.parseLong(version));

            // allowWatchBookmarks: a bookmark before the timeout ends the watch, at the version reached.
            long started = System.nanoTime();
            var bookmarked = events(d.get(PODS + "?watch=true&timeoutSeconds=3&allowWatchBookmarks=true&resourceVersion=" + version).body());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
            assertThat(bookmarked).as(describe(bookmarked)).anyMatch(e -> e.path("type").asString().equals("BOOKMARK")
                    && e.path("object").path("kind").asString().equals("Pod")
                    && Long.parseLong(e.path("object").path("metadata").path("resourceVersion").asString()) >= Long.parseLong(version));
            // without asking, none
            assertThat(events(d.get(PODS + "?watch=true&timeoutSeconds=3&resourceVersion=" + version).body()))
                    .noneMatch(e -> e.path("type").asString().equals("BOOKMARK"));

            // The watch-list protocol's rules, as the apiserver's.
            var noMatch = d.get(PODS + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true");
            assertThat(noMatch.statusCode()).isEqualTo(400);
            assertThat(noMatch.body()).contains("sendInitialEvents requires resourceVersionMatch=NotOlderThan");
            var noBookmarks = d.get(PODS + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");
            assertThat(noBookmarks.statusCode()).isEqualTo(400);
            assertThat(noBookmarks.body()).contains("requires allowWatchBookmarks=true");
        }
    }
}
