package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The pod API over HTTPS, without kubectl: errors, their Status bodies, and that nothing is half-created. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodsApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private DaemonFixture d;

    static String pod(String name) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"main","image":"busybox:1.36","command":["sleep","3600"]}]}}""".formatted(name);
    }

    @BeforeAll
    void start() throws Exception {
        d = new DaemonFixture();
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    private static void assertStatus(HttpResponse<String> r, int code, String reason, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        JsonNode s = json(r);
        assertThat(s.path("kind").asString()).isEqualTo("Status");
        assertThat(s.path("status").asString()).isEqualTo("Failure");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        assertThat(s.path("reason").asString()).isEqualTo(reason);
        assertThat(s.path("message").asString()).contains(message);
    }

    private List<String> podNames() throws Exception {
        return json(d.get(PODS)).path("items").valueStream().map(p -> p.path("metadata").path("name").asString()).toList();
    }

    @Test
    void noTokenOrAWrongTokenIs401WithAStatus() throws Exception {
        var none = d.http.send(HttpRequest.newBuilder(d.uri(PODS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertStatus(none, 401, "Unauthorized", "Unauthorized");
        var wrong = d.http.send(HttpRequest.newBuilder(d.uri("/version")).header("Authorization", "Bearer " + d.token + "x").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertStatus(wrong, 401, "Unauthorized", "Unauthorized");
        // the health probes stay open, as the apiserver's /livez
        var health = d.http.send(HttpRequest.newBuilder(d.uri("/actuator/health/liveness")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void createGetListAndTheStatusTheNodeReports() throws Exception {
        var created = d.post(PODS, "application/json", pod("api-one"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode p = json(created);
        assertThat(p.path("metadata").path("uid").asString()).isNotEmpty();
        assertThat(p.path("metadata").path("namespace").asString()).isEqualTo("default");
        assertThat(p.path("spec").path("nodeName").asString()).isEqualTo(d.daemon.context().getBean(io.berth.orchestrator.daemon.HostNode.class).name());
        assertThat(p.path("spec").path("restartPolicy").asString()).isEqualTo("Always");
        assertThat(p.path("status").path("phase").asString()).isEqualTo("Pending");
        long createdVersion = Long.parseLong(p.path("metadata").path("resourceVersion").asString());
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
                json(d.get(PODS + "/api-one")).path("status").path("phase").asString().equals("Running"));
        JsonNode running = json(d.get(PODS + "/api-one"));
        assertThat(Long.parseLong(running.path("metadata").path("resourceVersion").asString())).isGreaterThan(createdVersion);
        assertThat(d.node.synced).contains(p.path("metadata").path("uid").asString());
        assertThat(json(d.get(PODS + "?labelSelector=app%3Dweb")).path("items").size()).isGreaterThanOrEqualTo(1);
        assertThat(json(d.get(PODS + "?labelSelector=app%3Dnone")).path("items").size()).isZero();
        assertThat(json(d.get("/api/v1/pods?fieldSelector=metadata.name%3Dapi-one")).path("items").size()).isEqualTo(1);
        assertStatus(d.get(PODS + "?fieldSelector=spec.bogus%3Dx"), 400, "BadRequest", "field label not supported: spec.bogus");
        assertStatus(d.get(PODS + "/nope"), 404, "NotFound", "pods \"nope\" not found");
        assertStatus(d.get("/api/v1/nowhere"), 404, "NotFound", "could not find the requested resource");
    }

    @Test
    void fieldsBerthCannotHonourAreRefusedByPathAndNothingIsCreated() throws Exception {
        String nfs = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"nfs"},
                 "spec":{"containers":[{"name":"main","image":"busybox"}],
                         "volumes":[{"name":"data","nfs":{"server":"x","path":"/"}}]}}""";
        var r = d.post(PODS, "application/json", nfs);
        assertStatus(r, 422, "Invalid", "spec.volumes[0].nfs: not supported");
        assertThat(json(r).path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec.volumes[0].nfs");
        String several = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"Bad_Name"},
                 "spec":{"containers":[{"name":"main","image":"UPPER/case:x","resources":{"limits":{"memory":"lots"}}}],
                         "hostNetwork":true}}""";
        var s = d.post(PODS, "application/json", several);
        assertStatus(s, 422, "Invalid", "spec.hostNetwork: not supported");
        var t = d.post(PODS, "application/json", several.replace(",\n         \"hostNetwork\":true", ""));
        assertStatus(t, 422, "Invalid", "metadata.name: Invalid value: \"Bad_Name\"");
        assertThat(json(t).path("message").asString())
                .contains("spec.containers[0].image: Invalid value: \"UPPER/case:x\"")
                .contains("spec.containers[0].resources.limits[memory]: Invalid value: \"lots\"");
        String wrongTypes = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"types","labels":[1]},
                 "spec":{"containers":[{"name":{"a":1},"image":5,"env":"x"}],"volumes":{"a":1}}}""";
        var u = d.post(PODS, "application/json", wrongTypes);
        assertStatus(u, 422, "Invalid", "spec.containers[0].name: Invalid value: {\"a\":1}: must be a string");
        assertThat(json(u).path("message").asString()).contains("metadata.labels: Invalid value: [1]: must be an object")
                .contains("spec.volumes: Invalid value: {\"a\":1}: must be a list");
        String volumes = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"vols"},
                 "spec":{"containers":[{"name":"main","image":"busybox",
                           "volumeMounts":[{"name":"a","mountPath":"/a","subPath":"../etc"},{"name":"a","mountPath":"/a"}]}],
                         "volumes":[{"name":"a","emptyDir":{"sizeLimit":"1Gi"}}]}}""";
        var v = d.post(PODS, "application/json", volumes);
        assertStatus(v, 422, "Invalid", "spec.volumes[0].emptyDir.sizeLimit: Forbidden: Berth limits only medium: Memory emptyDirs");
        assertThat(json(v).path("message").asString())
                .contains("spec.containers[0].volumeMounts[0].subPath: not supported")
                .contains("spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique");
        assertThat(podNames()).doesNotContain("nfs", "Bad_Name", "types", "vols");
        assertStatus(d.post("/api/v1/namespaces/Bad_NS/pods", "application/json", pod("in-bad-ns")), 400, "BadRequest",
                "invalid namespace \"Bad_NS\"");
    }

    @Test
    void malformedBodiesAre400WithLineAndColumn() throws Exception {
        assertStatus(d.post(PODS, "application/json", "{\n  \"metadata\": {\"name\": \"x\",,}\n}"), 400, "BadRequest",
                "malformed JSON at line 2, column");
        assertStatus(d.post(PODS, "application/yaml", "metadata:\n  name: [x\nspec: {"), 400, "BadRequest", "malformed YAML at line");
        assertThat(d.post(PODS, "application/yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: from-yaml}
                spec:
                  containers: [{name: main, image: busybox}]
                """).statusCode()).isEqualTo(201);
    }

    @Test
    void bodiesOver3MiBAre413() throws Exception {
        String big = pod("big").replace("\"app\":\"web\"", "\"app\":\"web\",\"pad\":\"" + "x".repeat(3 * 1024 * 1024) + "\"");
        assertStatus(d.post(PODS, "application/json", big), 413, "RequestEntityTooLarge", "larger than 3145728 bytes");
        assertThat(podNames()).doesNotContain("big");
    }

    @Test
    void duplicatesAre409AlreadyExistsAndStaleVersions409Conflict() throws Exception {
        assertThat(d.post(PODS, "application/json", pod("dup")).statusCode()).isEqualTo(201);
        assertStatus(d.post(PODS, "application/json", pod("dup")), 409, "AlreadyExists", "pods \"dup\" already exists");
        // once the node has reported it running, only this test changes the pod
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
                json(d.get(PODS + "/dup")).path("status").path("phase").asString().equals("Running"));
        JsonNode current = json(d.get(PODS + "/dup"));
        String version = current.path("metadata").path("resourceVersion").asString();
        String relabelled = JSON.writeValueAsString(current).replace("\"app\":\"web\"", "\"app\":\"v2\"");
        var ok = d.send(d.request(PODS + "/dup").header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(relabelled)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).path("metadata").path("labels").path("app").asString()).isEqualTo("v2");
        // the same PUT again carries the version it was based on, which is now stale
        var stale = d.send(d.request(PODS + "/dup").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(relabelled.replace("\"app\":\"v2\"", "\"app\":\"v3\""))));
        assertStatus(stale, 409, "Conflict", "the object has been modified");
        var stalePatch = d.send(d.request(PODS + "/dup").header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"resourceVersion\":\"" + version + "\",\"labels\":{\"app\":\"v4\"}}}")));
        assertStatus(stalePatch, 409, "Conflict", "the object has been modified");
        assertThat(json(d.get(PODS + "/dup")).path("metadata").path("labels").path("app").asString()).isEqualTo("v2");
        var specChange = d.send(d.request(PODS + "/dup").header("Content-Type", "application/strategic-merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"containers\":[{\"name\":\"main\",\"workingDir\":\"/tmp\"}]}}")));
        assertStatus(specChange, 422, "Invalid", "spec: Forbidden");
    }

    @Test
    void aWatchResumesFromAResourceVersionAndSeesTheDeletion() throws Exception {
        JsonNode a = json(d.post(PODS, "application/json", pod("watch-a")));
        String from = a.path("metadata").path("resourceVersion").asString();
        assertThat(d.post(PODS, "application/json", pod("watch-b")).statusCode()).isEqualTo(201);
        var del = d.send(d.request(PODS + "/watch-b?gracePeriodSeconds=7").DELETE());
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        assertThat(json(del).path("metadata").path("deletionTimestamp").asString()).isNotEmpty();
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> d.get(PODS + "/watch-b").statusCode() == 404);
        assertThat(d.node.terminated).anyMatch(t -> t.grace().getSeconds() == 7);
        var w = d.get(PODS + "?watch=true&timeoutSeconds=1&resourceVersion=" + from + "&fieldSelector=metadata.name%3Dwatch-b");
        assertThat(w.statusCode()).isEqualTo(200);
        List<String> types = w.body().lines().filter(l -> !l.isBlank()).map(l -> JSON.readTree(l).path("type").asString()).toList();
        assertThat(types).startsWith("ADDED").contains("MODIFIED").endsWith("DELETED");
    }
}
