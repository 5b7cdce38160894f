package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.Requirements;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON patch (RFC 6902) and dryRun=All through the real kubectl and over HTTPS; server-side apply
 * refused with 415; probe and port fields the node cannot honour refused with 422 and their path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatchAndDryRunTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private DaemonFixture d;

    @BeforeAll
    void start() throws Exception {
        Requirements.command("kubectl", "kubectl");
        d = new DaemonFixture();
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    private DaemonFixture.Result ok(String stdin, String... args) throws Exception {
        return d.kubectlOk(stdin, args);
    }

    private HttpResponse<String> patch(String name, String type, String body) throws Exception {
        return d.send(d.request(PODS + "/" + name).header("Content-Type", type).method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    private String version() throws Exception {
        return JSON.readTree(d.get(PODS).body()).path("metadata").path("resourceVersion").asString();
    }

    private static String podYaml(String name) {
        return KubectlTest.podYaml(name, "app: web");
    }

    @Test
    void jsonPatchThroughKubectlAndItsErrors() throws Exception {
        ok(podYaml("jp"), "create", "-f", "-");
        ok(null, "patch", "pod", "jp", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/tier\",\"value\":\"db\"},"
                        + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"example.com/owner\":\"ops\"}}]");
        assertThat(ok(null, "get", "pod", "jp", "-o", "jsonpath={.metadata.labels.tier}").out()).isEqualTo("db");
        // ~1 in a pointer names a "/"; test guards, remove takes away.
        ok(null, "patch", "pod", "jp", "--type=json", "-p",
                "[{\"op\":\"test\",\"path\":\"/metadata/annotations/example.com~1owner\",\"value\":\"ops\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]");
        JsonNode pod = JSON.readTree(d.get(PODS + "/jp").body());
        assertThat(pod.path("metadata").path("labels").has("app")).isFalse();
        assertThat(pod.path("metadata").path("annotations").path("example.com/owner").asString()).isEqualTo("ops");
        // an image change through a JSON patch of a list element, as kubectl set image would do
        var image = patch("jp", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"busybox:1.37\"}]");
        assertThat(image.statusCode()).as(image.body()).isEqualTo(200);
        assertThat(JSON.readTree(image.body()).path("spec").path("containers").path(0).path("image").asString()).isEqualTo("busybox:1.37");

        // A failed test changes nothing: 422 naming the operation.
        String before = JSON.readTree(d.get(PODS + "/jp").body()).path("metadata").path("resourceVersion").asString();
        var failed = patch("jp", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/metadata/labels/tier\",\"value\":\"x\"},{\"op\":\"test\",\"path\":\"/metadata/labels/tier\",\"value\":\"db\"}]");
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(422);
        assertThat(JSON.readTree(failed.body()).path("message").asString()).contains("JSON patch operation 1 does not apply: test failed");
        var missing = patch("jp", "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/metadata/labels/nope\"}]");
        assertThat(missing.statusCode()).isEqualTo(422);
        assertThat(missing.body()).contains("\\\"/metadata/labels/nope\\\" does not exist");
        var notAList = patch("jp", "application/json-patch+json", "{\"op\":\"add\"}");
        assertThat(notAList.statusCode()).isEqualTo(400);
        assertThat(notAList.body()).contains("a JSON patch must be a JSON array of operations");
        var badOp = patch("jp", "application/json-patch+json", "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]");
        assertThat(badOp.statusCode()).isEqualTo(400);
        assertThat(badOp.body()).contains("unknown op \\\"frobnicate\\\"");
        // a patch that applies but makes an invalid pod is the validator's 422, with the path
        var invalid = patch("jp", "application/json-patch+json", "[{\"op\":\"add\",\"path\":\"/spec/hostNetwork\",\"value\":true}]");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.body()).contains("spec.hostNetwork");
        assertThat(JSON.readTree(d.get(PODS + "/jp").body()).path("metadata").path("resourceVersion").asString()).isEqualTo(before);
    }

    @Test
    void dryRunChecksEverythingAndWritesNothing() throws Exception {
        String before = version();
        int synced = d.node.synced.size();
        DaemonFixture.Result created = ok(podYaml("dry"), "create", "--dry-run=server", "-f", "-");
        assertThat(created.out()).contains("pod/dry created (server dry run)");
        assertThat(d.get(PODS + "/dry").statusCode()).isEqualTo(404);
        assertThat(d.node.synced).hasSize(synced);
        // an invalid pod is refused by a dry run as by a real create
        DaemonFixture.Result refused = d.kubectlWithInput(podYaml("Dry_Bad"), "create", "--dry-run=server", "-f", "-");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("metadata.name");
        assertThat(version()).as("a dry run takes no resourceVersion").isEqualTo(before);

        ok(podYaml("wet"), "create", "-f", "-");
        // the stand-in node reports the pod Running (a new version) a moment later: wait for that first
        org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS).until(() ->
                JSON.readTree(d.get(PODS + "/wet").body()).path("status").path("phase").asString().equals("Running"));
        String wet = version();
        // AlreadyExists is found by a dry run too
        DaemonFixture.Result again = d.kubectlWithInput(podYaml("wet"), "create", "--dry-run=server", "-f", "-");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("AlreadyExists").contains("\"wet\" already exists");
        DaemonFixture.Result labelled = ok(null, "label", "pod", "wet", "tier=db", "--dry-run=server");
        assertThat(labelled.out()).contains("labeled (server dry run)");
        ok(null, "patch", "pod", "wet", "--dry-run=server", "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]");
        assertThat(ok(podYaml("dry3"), "apply", "--dry-run=server", "-f", "-").out()).contains("pod/dry3 created (server dry run)");
        assertThat(d.get(PODS + "/dry3").statusCode()).isEqualTo(404);
        assertThat(ok(KubectlTest.podYaml("wet", "app: web, tier: db"), "apply", "--dry-run=server", "-f", "-").out())
                .contains("pod/wet configured (server dry run)");
        assertThat(ok(KubectlTest.podYaml("wet", "app: other"), "replace", "--dry-run=server", "-f", "-").out())
                .contains("pod/wet replaced (server dry run)");
        ok(null, "annotate", "pod", "wet", "note=x", "--dry-run=server");
        DaemonFixture.Result deleted = ok(null, "delete", "pod", "wet", "--dry-run=server");
        assertThat(deleted.out()).contains("deleted (server dry run)");
        JsonNode kept = JSON.readTree(d.get(PODS + "/wet").body());
        assertThat(kept.path("metadata").path("labels").has("tier")).isFalse();
        assertThat(kept.path("metadata").path("labels").has("x")).isFalse();
        assertThat(kept.path("metadata").path("labels").path("app").asString()).isEqualTo("web");
        assertThat(kept.path("metadata").has("annotations")).isFalse();
        assertThat(kept.path("metadata").has("deletionTimestamp")).isFalse();
        assertThat(d.node.terminated).noneMatch(t -> t.uid().equals(kept.path("metadata").path("uid").asString()));
        assertThat(version()).isEqualTo(wet);
        // a dry-run delete in DeleteOptions, as client-go sends it
        var optionsDelete = d.send(d.request(PODS + "/wet").header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"All\"]}")));
        assertThat(optionsDelete.statusCode()).as(optionsDelete.body()).isEqualTo(200);
        assertThat(d.get(PODS + "/wet").statusCode()).isEqualTo(200);
        assertThat(version()).isEqualTo(wet);

        var unknown = d.post(PODS + "?dryRun=Some", "application/json", PodsApiTest.pod("dry2"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Invalid dryRun value \\\"Some\\\": supported values: \\\"All\\\"");
    }

    @Test
    void serverSideApplyIs415WithWhatToDoInstead() throws Exception {
        ok(podYaml("ssa"), "create", "-f", "-");
        var r = patch("ssa", "application/apply-patch+yaml", "metadata: {labels: {a: b}}");
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(r.body()).path("message").asString()).contains("server-side apply is not supported by Berth")
                .contains("kubectl apply without --server-side");
        DaemonFixture.Result kubectl = d.kubectlWithInput(podYaml("ssa"), "apply", "--server-side", "-f", "-");
        assertThat(kubectl.exit()).isNotZero();
        assertThat(kubectl.err()).contains("server-side apply is not supported by Berth");
    }

    @Test
    void fieldsTheNodeCannotHonourAre422WithTheirPath() throws Exception {
        String https = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"https-probe"},
                 "spec":{"containers":[{"name":"main","image":"busybox:1.36","command":["sleep","3600"],
                   "ports":[{"containerPort":70000}],
                   "livenessProbe":{"httpGet":{"port":8443,"scheme":"HTTPS"},"successThreshold":2},
                   "readinessProbe":{"httpGet":{"port":8443,"scheme":"HTTP"},"successThreshold":2}}]}}""";
        var r = d.post(PODS, "application/json", https);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode causes = JSON.readTree(r.body()).path("details").path("causes");
        assertThat(causes.valueStream().map(c -> c.path("field").asString() + ": " + c.path("message").asString()).toList())
                .containsExactlyInAnyOrder(
                        "spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: \"HTTPS\": supported values: \"HTTP\"",
                        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
                        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive");
        assertThat(d.get(PODS + "/https-probe").statusCode()).isEqualTo(404);
    }
}
