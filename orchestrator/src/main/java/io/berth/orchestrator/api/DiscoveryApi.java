package io.berth.orchestrator.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
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

    /** One served resource of core/v1; the single description of it both discovery forms use. */
    public record Resource(String name, String singular, String kind, boolean namespaced, List<String> shortNames,
                           List<String> verbs, List<String> categories, Map<String, List<String>> subresources) {
    }

    public static final List<Resource> CORE = List.of(
            new Resource("pods", "pod", "Pod", true, List.of("po"),
                    List.of("create", "delete", "get", "list", "patch", "update", "watch"), List.of("all"),
                    Map.of("log", List.of("get"), "status", List.of("get"))),
            new Resource("events", "event", "Event", true, List.of("ev"), List.of("get", "list"), List.of(), Map.of()),
            new Resource("nodes", "node", "Node", false, List.of("no"), List.of("get", "list"), List.of(), Map.of()));

    private final ApiJson json;

    public DiscoveryApi(ApiJson json) {
        this.json = json;
    }

    @GetMapping("/api")
    public ResponseEntity<byte[]> api(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        if (wantsAggregated(accept)) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("metadata", Map.of());
            group.put("versions", List.of(Map.of("version", "v1", "resources", CORE.stream().map(DiscoveryApi::aggregated).toList(),
                    "freshness", "Current")));
            return json.respond(HttpStatus.OK, AGGREGATED, list(List.of(group)));
        }
        return json.ok(Map.of("kind", "APIVersions", "versions", List.of("v1"),
                "serverAddressByClientCIDRs", List.of()));
    }

    @GetMapping("/apis")
    public ResponseEntity<byte[]> apis(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        if (wantsAggregated(accept)) {
            return json.respond(HttpStatus.OK, AGGREGATED, list(List.of()));
        }
        return json.ok(Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", List.of()));
    }

    @GetMapping("/api/v1")
    public ResponseEntity<byte[]> coreV1() {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Resource r : CORE) {
            resources.add(Map.of("name", r.name(), "singularName", r.singular(), "namespaced", r.namespaced(), "kind", r.kind(),
                    "verbs", r.verbs(), "shortNames", r.shortNames(), "categories", r.categories()));
            r.subresources().forEach((sub, verbs) -> resources.add(Map.of("name", r.name() + "/" + sub, "singularName", "",
                    "namespaced", r.namespaced(), "kind", sub.equals("log") ? "Pod" : r.kind(), "verbs", verbs)));
        }
        return json.ok(Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", "v1", "resources", resources));
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

    private static Map<String, Object> aggregated(Resource r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resource", r.name());
        m.put("responseKind", Map.of("group", "", "version", "v1", "kind", r.kind()));
        m.put("scope", r.namespaced() ? "Namespaced" : "Cluster");
        m.put("singularResource", r.singular());
        m.put("verbs", r.verbs());
        m.put("shortNames", r.shortNames());
        if (!r.categories().isEmpty()) {
            m.put("categories", r.categories());
        }
        if (!r.subresources().isEmpty()) {
            List<Map<String, Object>> subs = new ArrayList<>();
            r.subresources().forEach((sub, verbs) -> subs.add(Map.of("subresource", sub,
                    "responseKind", Map.of("group", "", "version", "v1", "kind", sub.equals("log") ? "" : r.kind()),
                    "verbs", verbs)));
            m.put("subresources", subs);
        }
        return m;
    }
}
