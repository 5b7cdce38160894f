package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.daemon.HostNode;
import io.berth.testkit.Requirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The real kubectl (1.32, through the machine's dispatcher) against the daemon, as a user runs it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private DaemonFixture d;
    private String node;

    static String podYaml(String name, String labels) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: {%s}
                spec:
                  containers:
                  - name: main
                    image: busybox:1.36
                    command: ["sleep", "3600"]
                    resources:
                      limits: {memory: 64Mi, cpu: 250m}
                """.formatted(name, labels);
    }

    @BeforeAll
    void start() throws Exception {
        Requirements.command("kubectl", "kubectl");
        d = new DaemonFixture();
        node = d.daemon.context().getBean(HostNode.class).name();
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

    private void awaitRunning(String name) {
        org.awaitility.Awaitility.await().atMost(15, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", name, "-o", "jsonpath={.status.phase}").out().equals("Running"));
    }

    @Test
    void versionReports132() throws Exception {
        JsonNode v = JSON.readTree(ok(null, "version", "-o", "json").out());
        assertThat(v.path("serverVersion").path("minor").asString()).isEqualTo("32");
    }

    @Test
    void applyCreatesThenIsUnchangedThenConfiguresChangedLabels() throws Exception {
        assertThat(ok(podYaml("applied", "app: web"), "apply", "-f", "-").out().trim()).isEqualTo("pod/applied created");
        assertThat(ok(podYaml("applied", "app: web"), "apply", "-f", "-").out().trim()).isEqualTo("pod/applied unchanged");
        assertThat(ok(podYaml("applied", "app: web, tier: front"), "apply", "-f", "-").out().trim()).isEqualTo("pod/applied configured");
        JsonNode pod = JSON.readTree(ok(null, "get", "pod", "applied", "-o", "json").out());
        assertThat(pod.path("metadata").path("labels").path("tier").asString()).isEqualTo("front");
        assertThat(pod.path("metadata").path("annotations").path("kubectl.kubernetes.io/last-applied-configuration").asString())
                .contains("front");
        // a label removed from the file is removed from the pod (the three-way merge of client-side apply)
        assertThat(ok(podYaml("applied", "tier: front"), "apply", "-f", "-").out().trim()).isEqualTo("pod/applied configured");
        assertThat(ok(null, "get", "pod", "applied", "--show-labels").out()).contains("tier=front").doesNotContain("app=web");
    }

    @Test
    void createGetInEveryFormatDescribeAndEvents() throws Exception {
        assertThat(ok(podYaml("made", "app: made"), "create", "-f", "-").out().trim()).isEqualTo("pod/made created");
        DaemonFixture.Result again = d.kubectlWithInput(podYaml("made", "app: made"), "create", "-f", "-");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("AlreadyExists").contains("pods \"made\" already exists");
        awaitRunning("made");

        String table = ok(null, "get", "pods").out();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
        assertThat(table).containsPattern("made\\s+1/1\\s+Running\\s+0\\s+\\d+s");
        String wide = ok(null, "get", "pods", "-o", "wide").out();
        assertThat(wide.lines().findFirst().orElseThrow()).contains("IP").contains("NODE");
        assertThat(wide).containsPattern("made\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.88\\.0\\.2\\s+" + java.util.regex.Pattern.quote(node));
        assertThat(ok(null, "get", "pods", "-l", "app=made").out()).contains("made");
        assertThat(ok(null, "get", "po", "-A").out()).containsPattern("NAMESPACE\\s+NAME\\s+READY").containsPattern("default\\s+made\\s+1/1");
        assertThat(ok(null, "get", "all").out()).containsPattern("made\\s+1/1\\s+Running"); // the "all" category
        assertThat(ok(null, "label", "pod", "made", "tier=back").out().trim()).isEqualTo("pod/made labeled");
        assertThat(ok(null, "annotate", "pod", "made", "note=kept").out().trim()).isEqualTo("pod/made annotated");
        assertThat(ok(null, "get", "pod", "made", "-o", "jsonpath={.metadata.labels.tier} {.metadata.annotations.note}").out())
                .isEqualTo("back kept");
        assertThat(ok(null, "get", "pods", "-l", "app=other").err()).contains("No resources found in default namespace.");
        assertThat(ok(null, "get", "pods", "--field-selector", "metadata.name=made", "-o", "name").out().trim()).isEqualTo("pod/made");
        String yaml = ok(null, "get", "pod", "made", "-o", "yaml").out();
        assertThat(yaml).contains("nodeName: " + node).contains("phase: Running").contains("memory: 64Mi");
        // only images may change in a pod's spec; the node side is asked to sync the new spec
        long syncs = d.node.synced.size();
        assertThat(ok(null, "set", "image", "pod/made", "main=busybox:1.37").out().trim()).isEqualTo("pod/made image updated");
        assertThat(ok(null, "get", "pod", "made", "-o", "jsonpath={.spec.containers[0].image} {.metadata.generation}").out())
                .isEqualTo("busybox:1.37 2");
        assertThat(d.node.synced.size()).isGreaterThan((int) syncs);
        DaemonFixture.Result restart = d.kubectl("patch", "pod", "made", "-p", "{\"spec\":{\"restartPolicy\":\"Never\"}}");
        assertThat(restart.exit()).isNotZero();
        assertThat(restart.err()).contains("spec: Forbidden: pod updates may not change fields other than");
        yaml = ok(null, "get", "pod", "made", "-o", "yaml").out();
        // what get -o yaml prints (server-set fields, defaults, status) can be applied again
        assertThat(ok(yaml, "apply", "-f", "-").out().trim()).isEqualTo("pod/made configured");
        JsonNode json = JSON.readTree(ok(null, "get", "pod", "made", "-o", "json").out());
        assertThat(json.path("spec").path("containers").get(0).path("image").asString()).isEqualTo("busybox:1.37");

        String describe = ok(null, "describe", "pod", "made").out();
        assertThat(describe).contains("Name:         made").contains("Node:         " + node).contains("Status:       Running")
                .contains("Events:").containsPattern("Normal\\s+Started\\s+\\S+\\s+kubelet\\s+Started container main");
        assertThat(ok(null, "get", "events").out()).containsPattern("Normal\\s+Started\\s+pod/made\\s+Started container main");
    }

    @Test
    void logsFromTheFilesTheNodeSideWrites() throws Exception {
        ok(podYaml("talker", "app: talker"), "create", "-f", "-");
        awaitRunning("talker");
        assertThat(ok(null, "logs", "talker").out()).isEqualTo("hello from main\nsecond line\n");
        assertThat(ok(null, "logs", "talker", "--tail=1").out()).isEqualTo("second line\n");
        DaemonFixture.Result wrong = d.kubectl("logs", "talker", "-c", "nope");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err()).contains("container nope is not valid for pod talker");
        DaemonFixture.Result previous = d.kubectl("logs", "talker", "--previous");
        assertThat(previous.err()).contains("previous terminated container \"main\" in pod \"talker\" not found");
        // Each line's time, as the kubelet prints it: RFC3339 with 9 fraction digits, UTC, a space.
        assertThat(ok(null, "logs", "talker", "--timestamps").out())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z hello from main\n"
                        + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z second line\n");
        assertThat(ok(null, "logs", "talker", "--since=1h").out()).isEqualTo("hello from main\nsecond line\n");
        String later = java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        assertThat(ok(null, "logs", "talker", "--since-time=" + later).out()).isEmpty();
        // As the apiserver: both at once is Invalid (kubectl itself never sends both).
        var both = d.get("/api/v1/namespaces/default/pods/talker/log?sinceSeconds=10&sinceTime=" + later);
        assertThat(both.statusCode()).as(both.body()).isEqualTo(422);
        assertThat(both.body()).contains("at most one of `sinceTime` or `sinceSeconds` may be specified");
        var zero = d.get("/api/v1/namespaces/default/pods/talker/log?sinceSeconds=0");
        assertThat(zero.statusCode()).isEqualTo(422);
        assertThat(zero.body()).contains("sinceSeconds: Invalid value: 0: must be greater than 0");
        var negative = d.get("/api/v1/namespaces/default/pods/talker/log?tailLines=-1");
        assertThat(negative.statusCode()).isEqualTo(422);
        assertThat(negative.body()).contains("tailLines: Invalid value: -1: must be greater than or equal to 0");
        var noBytes = d.get("/api/v1/namespaces/default/pods/talker/log?limitBytes=0");
        assertThat(noBytes.statusCode()).isEqualTo(422);
        assertThat(noBytes.body()).contains("limitBytes: Invalid value: 0: must be greater than 0");
        assertThat(ok(null, "logs", "talker", "--limit-bytes=8").out()).isEqualTo("hello fr");
        var garbled = d.get("/api/v1/namespaces/default/pods/talker/log?sinceTime=yesterday");
        assertThat(garbled.statusCode()).isEqualTo(400);
        assertThat(garbled.body()).contains("sinceTime: cannot parse \\\"yesterday\\\"");

        Process follow = d.kubectlProcess("logs", "-f", "talker");
        try {
            var uid = d.daemon.context().getBean(io.berth.orchestrator.pods.PodService.class).get("default", "talker");
            Thread.sleep(1000);
            d.node.write(uid.getMetadata().getUid(), "main", "third line\n");
            Thread.sleep(500);
            d.node.exit(uid, 0);
            assertThat(follow.waitFor(10, TimeUnit.SECONDS)).as("logs -f ends when the container does").isTrue();
            assertThat(new String(follow.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hello from main\nsecond line\nthird line\n");
        } finally {
            follow.destroyForcibly();
        }
    }

    @Test
    void deleteWaitsUntilThePodIsGone() throws Exception {
        ok(podYaml("doomed", "app: doomed"), "create", "-f", "-");
        awaitRunning("doomed");
        d.node.stopDelay = java.time.Duration.ofSeconds(2);
        long t0 = System.nanoTime();
        DaemonFixture.Result r = ok(null, "delete", "pod", "doomed", "--grace-period=9");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.out().trim()).isEqualTo("pod \"doomed\" deleted");
        assertThat(millis).as("kubectl delete returned before the node side reported the pod gone").isGreaterThanOrEqualTo(1900);
        assertThat(d.node.terminated).anyMatch(t -> t.grace().getSeconds() == 9);
        DaemonFixture.Result gone = d.kubectl("get", "pod", "doomed");
        assertThat(gone.exit()).isNotZero();
        assertThat(gone.err()).contains("pods \"doomed\" not found");
    }

    @Test
    void getWatchStreamsNewPods() throws Exception {
        Process watch = d.kubectlProcess("get", "pods", "-w", "-l", "app=watched");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
            Thread.sleep(1500); // kubectl lists first (nothing), then watches
            ok(podYaml("watched", "app: watched"), "create", "-f", "-");
            String header = out.readLine();
            assertThat(header).as("kubectl get -w printed nothing; stderr: %s",
                    header == null ? new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8) : "").isNotNull();
            assertThat(header).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
            String line;
            boolean sawRunning = false;
            long deadline = System.currentTimeMillis() + 15_000;
            while (!sawRunning && System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
                assertThat(line).startsWith("watched ");
                sawRunning = line.matches("watched\\s+1/1\\s+Running.*");
            }
            assertThat(sawRunning).isTrue();
        } finally {
            watch.destroyForcibly();
            watch.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void runAndWait() throws Exception {
        assertThat(ok(null, "run", "quick", "--image=busybox:1.36", "--", "sleep", "1000").out().trim()).isEqualTo("pod/quick created");
        assertThat(ok(null, "wait", "--for=condition=Ready", "pod/quick", "--timeout=30s").out().trim())
                .isEqualTo("pod/quick condition met");
        String generated = ok(null, "run", "generated", "--image=busybox:1.36", "--dry-run=client", "-o", "yaml").out();
        assertThat(ok(generated, "apply", "-f", "-").out().trim()).isEqualTo("pod/generated created");
    }

    @Test
    void topPodReadsPodMetrics() throws Exception {
        ok(podYaml("measured", "app: measured"), "create", "-f", "-");
        awaitRunning("measured");
        // TestNode runs no processes: no cgroup to read, so no usage, but the API and kubectl's use of it are real.
        assertThat(ok(null, "top", "pod", "measured").out()).containsPattern("NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)")
                .containsPattern("measured\\s+0m\\s+0Mi");
    }

    @Test
    void nodesAreThisHost() throws Exception {
        String nodes = ok(null, "get", "nodes").out();
        assertThat(nodes).containsPattern(java.util.regex.Pattern.quote(node) + "\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0-berth");
        String describe = ok(null, "describe", "node", node).out();
        assertThat(describe).contains("Capacity:").contains("Allocatable:").containsPattern("cpu:\\s+" + Runtime.getRuntime().availableProcessors());
    }

    @Test
    void refusedFieldsReachTheUserByPath() throws Exception {
        String nfs = podYaml("nfs", "app: nfs") + """
                  volumes:
                  - name: data
                    nfs: {server: example.org, path: /}
                """;
        DaemonFixture.Result r = d.kubectlWithInput(nfs, "apply", "-f", "-");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("spec.volumes[0].nfs: not supported");
    }

    @Test
    void theClientCertificateInTheKubeconfigAuthenticatesToo() throws Exception {
        assertThat(ok(null, "--context", "berth-cert", "get", "nodes", "-o", "name").out().trim()).isEqualTo("node/" + node);
    }
}
