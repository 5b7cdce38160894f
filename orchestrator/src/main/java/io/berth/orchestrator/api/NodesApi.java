package io.berth.orchestrator.api;

import io.berth.apimachinery.labels.LabelSelector;
import io.berth.orchestrator.daemon.HostNode;
import io.berth.orchestrator.store.PodStore;
import io.berth.orchestrator.store.ResourceVersions;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * core/v1 nodes: the one Node, this host, read from the kernel when asked (capacity: CPUs and
 * memory; allocatable: the same, as nothing is reserved). It exists since the database was made.
 */
@RestController
public class NodesApi {

    /** The kubelet's default pod limit, so {@code describe node} reads as usual. */
    static final int MAX_PODS = 110;

    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("Name", "string", "Name must be unique."),
            Table.Column.of("Status", "string", "The status of the node"),
            Table.Column.of("Roles", "string", "The roles of the node"),
            Table.Column.of("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
            Table.Column.of("Version", "string", "Kubelet Version reported by the node."),
            Table.Column.of("Internal-IP", "string", "List of internal IPs.").wide(),
            Table.Column.of("External-IP", "string", "List of external IPs.").wide(),
            Table.Column.of("OS-Image", "string", "OS Image reported by the node.").wide(),
            Table.Column.of("Kernel-Version", "string", "Kernel Version reported by the node.").wide(),
            Table.Column.of("Container-Runtime", "string", "Container Runtime Version reported by the node.").wide());

    private final HostNode host;
    private final JdbcClient jdbc;
    private final ResourceVersions versions;
    private final ApiJson json;
    private volatile String created;

    public NodesApi(HostNode host, JdbcClient jdbc, ResourceVersions versions, ApiJson json) {
        this.host = host;
        this.jdbc = jdbc;
        this.versions = versions;
        this.json = json;
    }

    @GetMapping("/api/v1/nodes")
    public ResponseEntity<byte[]> list(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                       @RequestParam Map<String, String> params) {
        if (PodsApi.isTrue(params.get("watch"))) {
            throw ApiException.methodNotAllowed("watch nodes: Berth's one node does not change");
        }
        Node node = node();
        LabelSelector labels = PodsApi.labelSelector(params.get("labelSelector"));
        FieldSelector fields = FieldSelector.parse(params.get("fieldSelector"), "nodes", java.util.Set.of("metadata.name"));
        List<Node> items = labels.test(node.getMetadata().getLabels()) && fields.matches(f -> node.getMetadata().getName())
                ? List.of(node) : List.of();
        if (Table.wanted(accept)) {
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(COLUMNS,
                    items.stream().map(n -> row(n, params.get("includeObject"))).toList(), node.getMetadata().getResourceVersion()));
        }
        return json.ok(new NodeList("v1", items, "NodeList", new ListMetaBuilder().withResourceVersion(node.getMetadata().getResourceVersion()).build()));
    }

    @GetMapping("/api/v1/nodes/{name}")
    public ResponseEntity<byte[]> get(@PathVariable String name, @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                      @RequestParam(required = false) String includeObject) {
        if (!name.equals(host.name())) {
            throw ApiException.notFound("nodes", name);
        }
        Node node = node();
        if (Table.wanted(accept)) {
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(COLUMNS, List.of(row(node, includeObject)),
                    node.getMetadata().getResourceVersion()));
        }
        return json.ok(node);
    }

    private Table.Row row(Node n, String includeObject) {
        var info = n.getStatus().getNodeInfo();
        return new Table.Row(List.of(n.getMetadata().getName(), "Ready", "<none>", Table.age(n.getMetadata().getCreationTimestamp(), Instant.now()),
                info.getKubeletVersion(), n.getStatus().getAddresses().get(0).getAddress(), "<none>", info.getOsImage(),
                info.getKernelVersion(), info.getContainerRuntimeVersion()), Table.rowObject(n, includeObject));
    }

    Node node() {
        String now = PodStore.format(Instant.now());
        Map<String, Quantity> capacity = Map.of(
                "cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())),
                "memory", new Quantity(memTotalKi() + "Ki"),
                "pods", new Quantity(Integer.toString(MAX_PODS)));
        return new NodeBuilder().withApiVersion("v1").withKind("Node")
                .withNewMetadata().withName(host.name()).withUid(java.util.UUID.nameUUIDFromBytes(host.name().getBytes()).toString())
                .withResourceVersion(Long.toString(versions.latest())).withCreationTimestamp(created())
                .withLabels(Map.of("kubernetes.io/hostname", host.name(), "kubernetes.io/os", "linux",
                        "kubernetes.io/arch", arch(), "beta.kubernetes.io/os", "linux", "beta.kubernetes.io/arch", arch()))
                .endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").withReason("BerthReady")
                .withMessage("berth daemon is posting ready status").withLastHeartbeatTime(now).withLastTransitionTime(created()).endCondition()
                .addNewAddress().withType("InternalIP").withAddress(host.ip()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(host.name()).endAddress()
                .withNewNodeInfo().withArchitecture(arch()).withOperatingSystem("linux").withKernelVersion(read("/proc/sys/kernel/osrelease"))
                .withOsImage(osImage()).withContainerRuntimeVersion("berth://0.1.0").withKubeletVersion(VersionApi.GIT_VERSION)
                .withKubeProxyVersion("").withMachineID(read("/etc/machine-id")).withSystemUUID("").withBootID(read("/proc/sys/kernel/random/boot_id"))
                .endNodeInfo()
                .endStatus().build();
    }

    /** When this node came to be: the first migration of its database. */
    private String created() {
        if (created == null) {
            created = jdbc.sql("SELECT MIN(\"installed_on\") FROM \"flyway_schema_history\"").query(java.sql.Timestamp.class).optional()
                    .map(t -> PodStore.format(t.toInstant())).orElse(PodStore.format(Instant.now()));
        }
        return created;
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("x86_64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
    }

    private static long memTotalKi() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String osImage() {
        for (String line : read("/etc/os-release").split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return "Linux";
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "";
        }
    }

}
