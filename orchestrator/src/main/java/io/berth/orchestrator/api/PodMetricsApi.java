package io.berth.orchestrator.api;

import io.berth.apimachinery.labels.LabelSelector;
import io.berth.orchestrator.metrics.PodUsage;
import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.store.PodStore;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * metrics.k8s.io/v1beta1 PodMetrics, what {@code kubectl top pod} reads: each running container's
 * CPU (nanocores) and memory working set, from its cgroup. The metrics-server's shape, served by
 * the daemon itself.
 */
@RestController
public class PodMetricsApi {

    public static final String GROUP = "metrics.k8s.io";
    public static final String VERSION = "v1beta1";

    private final PodService pods;
    private final PodUsage usage;
    private final ApiJson json;

    public PodMetricsApi(PodService pods, PodUsage usage, ApiJson json) {
        this.pods = pods;
        this.usage = usage;
        this.json = json;
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/pods")
    public ResponseEntity<byte[]> listAll(@RequestParam Map<String, String> params) {
        return list(null, params);
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods")
    public ResponseEntity<byte[]> list(@PathVariable String namespace, @RequestParam Map<String, String> params) {
        LabelSelector labels = PodsApi.labelSelector(params.get("labelSelector"));
        FieldSelector fields = FieldSelector.parse(params.get("fieldSelector"), "pods", java.util.Set.of("metadata.name", "metadata.namespace"));
        List<Pod> selected = pods.list(namespace).items().stream()
                .filter(p -> labels.test(p.getMetadata().getLabels()) && fields.matches(f -> PodsApi.field(p, f))).toList();
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "PodMetricsList");
        list.put("apiVersion", GROUP + "/" + VERSION);
        list.put("metadata", Map.of());
        list.put("items", metrics(selected));
        return json.ok(list);
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}")
    public ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name) {
        Pod pod = pods.get(namespace, name);
        List<Map<String, Object>> m = metrics(List.of(pod));
        return json.ok(m.get(0));
    }

    private List<Map<String, Object>> metrics(List<Pod> selected) {
        Map<String, List<PodUsage.ContainerUsage>> used = usage.usage(selected);
        String now = PodStore.format(Instant.now());
        return selected.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "PodMetrics");
            m.put("apiVersion", GROUP + "/" + VERSION);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("name", p.getMetadata().getName());
            meta.put("namespace", p.getMetadata().getNamespace());
            meta.put("creationTimestamp", now);
            if (p.getMetadata().getLabels() != null) {
                meta.put("labels", p.getMetadata().getLabels());
            }
            m.put("metadata", meta);
            m.put("timestamp", now);
            m.put("window", "1s");
            m.put("containers", used.getOrDefault(p.getMetadata().getUid(), List.of()).stream()
                    .map(c -> Map.of("name", c.name(), "usage", Map.of("cpu", c.cpuNanoCores() + "n",
                            "memory", c.memoryBytes() / 1024 + "Ki"))).toList());
            return m;
        }).toList();
    }
}
