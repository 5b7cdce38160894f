package io.berth.orchestrator.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /openapi/v3}: as much of the OpenAPI document as kubectl needs. {@code apply} and
 * {@code create} (strict field validation by default) look for a PATCH operation of the kind that
 * lists the {@code fieldValidation} query parameter, to learn that the server validates fields
 * itself; Berth does (every field it does not honour is refused).
 */
@RestController
public class OpenApiV3 {

    /** Changes whenever the document does, so kubectl's cache of it is refreshed. */
    private static final String HASH = "berth-1";

    private final ApiJson json;

    public OpenApiV3(ApiJson json) {
        this.json = json;
    }

    @GetMapping("/openapi/v3")
    public ResponseEntity<byte[]> root() {
        return json.ok(Map.of("paths", Map.of("api/v1", Map.of("serverRelativeURL", "/openapi/v3/api/v1?hash=" + HASH))));
    }

    @GetMapping("/openapi/v3/api/v1")
    public ResponseEntity<byte[]> coreV1() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (DiscoveryApi.Resource r : DiscoveryApi.CORE) {
            if (!r.verbs().contains("patch")) {
                continue;
            }
            String path = "/api/v1/" + (r.namespaced() ? "namespaces/{namespace}/" : "") + r.name() + "/{name}";
            Map<String, Object> gvk = Map.of("group", "", "version", "v1", "kind", r.kind());
            Map<String, Object> patch = new LinkedHashMap<>();
            patch.put("operationId", "patchNamespaced" + r.kind());
            patch.put("parameters", List.of(
                    query("dryRun"), query("fieldManager"), query("fieldValidation"), Map.of("name", "force", "in", "query",
                            "schema", Map.of("type", "boolean", "uniqueItems", true))));
            patch.put("responses", Map.of("200", Map.of("description", "OK")));
            patch.put("x-kubernetes-action", "patch");
            patch.put("x-kubernetes-group-version-kind", gvk);
            paths.put(path, Map.of("patch", patch));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.0");
        doc.put("info", Map.of("title", "Berth", "version", VersionApi.GIT_VERSION));
        doc.put("paths", paths);
        doc.put("components", Map.of("schemas", Map.of()));
        return json.ok(doc);
    }

    private static Map<String, Object> query(String name) {
        return Map.of("name", name, "in", "query", "schema", Map.of("type", "string", "uniqueItems", true));
    }
}
