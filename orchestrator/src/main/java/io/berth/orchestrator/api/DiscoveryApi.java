package io.berth.orchestrator.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Discovery: which resources exist. kubectl asks for aggregated discovery (apidiscovery.k8s.io/v2)
 * on {@code /api} and {@code /apis} and needs the exact content type back; older clients get
 * APIVersions, APIGroupList and APIResourceList. Both are made from {@link #CORE}.
 */
@RestController
public class DiscoveryApi {

    public static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /** One served resource; the single description of it every discovery form uses. */
    public record Resource(String name, String singular, String kind, boolean namespaced, List<String> shortNames,
                           List<String> verbs, List<String> categories, Map<String, List<String>> subresources) {
    }

    /** One served group version ("" is core) and its resources. */
    public record Group(String name, String version, List<Resource> resources) {
        String groupVersion() {
            return name.isEmpty() ? version : name + "/" + version;
        }
    }

    public static final List<Resource> CORE = List.of(
            new Resource("pods", "pod", "Pod", true, List.of("po"),
                    List.of("create", "delete", "get", "list", "patch", "update", "watch"), List.of("all"),
                    Map.of("log", List.of("get"), "status", List.of("get"))),
            new Resource("events", "event", "Event", true, List.of("ev"), List.of("get", "list"), List.of(), Map.of()),
            new Resource("nodes", "node", "Node", false, List.of("no"), List.of("get", "list"), List.of(), Map.of()));

    /** The groups under /apis. */
    public static final List<Group> GROUPS = List.of(
            new Group(PodMetricsApi.GROUP, PodMetricsApi.VERSION, List.of(
                    new Resource("pods", "", "PodMetrics", true, List.of(), List.of("get", "list"), List.of(), Map.of()))),
            new Group(ImagesApi.GROUP, ImagesApi.VERSION, List.of(
                    new Resource("images", "image", "Image", false, List.of(), List.of("create", "delete", "get", "list"), List.of(), Map.of()))));

    private final ApiJson json;

    public DiscoveryApi(ApiJson json) {
        this.json = json;
    }

    @GetMapping("/api")
    public ResponseEntity<byte[]> api(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        if (wantsAggregated(accept)) {
            return json.respond(HttpStatus.OK, AGGREGATED, list(List.of(aggregated(new Group("", "v1", CORE)))));
        }
        return json.ok(Map.of("kind", "APIVersions", "versions", List.of("v1"),
                "serverAddressByClientCIDRs", List.of()));
    }

    @GetMapping("/apis")
    public ResponseEntity<byte[]> apis(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        if (wantsAggregated(accept)) {
            return json.respond(HttpStatus.OK, AGGREGATED, list(GROUPS.stream().map(DiscoveryApi::aggregated).toList()));
        }
        return json.ok(Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", GROUPS.stream().map(g -> {
            Map<String, String> v = Map.of("groupVersion", g.groupVersion(), "version", g.version());
            return Map.of("name", g.name(), "versions", List.of(v), "preferredVersion", v);
        }).toList()));
    }

    @GetMapping("/api/v1")
    public ResponseEntity<byte[]> coreV1() {
        return json.ok(resourceList(new Group("", "v1", CORE)));
    }

    @GetMapping("/apis/{group}/{version}")
    public ResponseEntity<byte[]> groupVersion(@PathVariable String group, @PathVariable String version) {
        return json.ok(resourceList(GROUPS.stream().filter(g -> g.name().equals(group) && g.version().equals(version)).findFirst()
                .orElseThrow(() -> ApiException.notFoundPath("/apis/" + group + "/" + version))));
    }

    /** The older, per group version discovery document (APIResourceList). */
    private static Map<String, Object> resourceList(Group g) {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Resource r : g.resources()) {
            resources.add(Map.of("name", r.name(), "singularName", r.singular(), "namespaced", r.namespaced(), "kind", r.kind(),
                    "verbs", r.verbs(), "shortNames", r.shortNames(), "categories", r.categories()));
            r.subresources().forEach((sub, verbs) -> resources.add(Map.of("name", r.name() + "/" + sub, "singularName", "",
                    "namespaced", r.namespaced(), "kind", sub.equals("log") ? "Pod" : r.kind(), "verbs", verbs)));
        }
        return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", g.groupVersion(), "resources", resources);
    }

    private static boolean wantsAggregated(String accept) {
        return accept != null && accept.contains("as=APIGroupDiscoveryList");
    }

    private static Map<String, Object> list(List<Map<String, Object>> items) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("kind", "APIGroupDiscoveryList");
        l.put("apiVersion", "apidiscovery.k8s.io/v2");
        l.put("metadata", Map.of());
        l.put("items", items);
        return l;
    }

    private static Map<String, Object> aggregated(Group g) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("metadata", g.name().isEmpty() ? Map.of() : Map.of("name", g.name()));
        item.put("versions", List.of(Map.of("version", g.version(),
                "resources", g.resources().stream().map(r -> aggregated(g, r)).toList(), "freshness", "Current")));
        return item;
    }

    private static Map<String, Object> aggregated(Group g, Resource r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resource", r.name());
        m.put("responseKind", Map.of("group", g.name(), "version", g.version(), "kind", r.kind()));
        m.put("scope", r.namespaced() ? "Namespaced" : "Cluster");
        m.put("singularResource", r.singular());
        m.put("verbs", r.verbs());
        m.put("shortNames", r.shortNames());
        if (r.shortNames().isEmpty()) {
            m.remove("shortNames");
        }
        if (!r.categories().isEmpty()) {
            m.put("categories", r.categories());
        }
        if (!r.subresources().isEmpty()) {
            List<Map<String, Object>> subs = new ArrayList<>();
            r.subresources().forEach((sub, verbs) -> subs.add(Map.of("subresource", sub,
                    "responseKind", Map.of("group", g.name(), "version", g.version(), "kind", sub.equals("log") ? "" : r.kind()),
                    "verbs", verbs)));
            m.put("subresources", subs);
        }
        return m;
    }
}
