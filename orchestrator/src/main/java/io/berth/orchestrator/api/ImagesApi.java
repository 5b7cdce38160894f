package io.berth.orchestrator.api;

import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;
import io.berth.orchestrator.store.ResourceVersions;
import java.io.IOException;
import java.time.Instant;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * berth.io/v1 Image: the images in the node's store, read-only ({@code kubectl get images}). One
 * object per manifest, named {@code sha256-<first 12 hex digits>} (a reference is not a valid
 * object name), with every reference that names it, as the CRI's image list does.
 */
@RestController
public class ImagesApi {

    public static final String GROUP = "berth.io";
    public static final String VERSION = "v1";

    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("Name", "string", "The image's id: its manifest digest, shortened."),
            Table.Column.of("References", "string", "The names the image is stored under."),
            Table.Column.of("Size", "string", "The compressed size of its layers and config."),
            Table.Column.of("Created", "string", "When the image was built, from its config."),
            Table.Column.of("Digest", "string", "The manifest's full digest.").wide());

    private final ImageStore store;
    private final ResourceVersions versions;
    private final ApiJson json;

    public ImagesApi(ImageStore store, ResourceVersions versions, ApiJson json) {
        this.store = store;
        this.versions = versions;
        this.json = json;
    }

    @GetMapping("/apis/berth.io/v1/images")
    public ResponseEntity<byte[]> list(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                       @RequestParam Map<String, String> params) {
        if (PodsApi.isTrue(params.get("watch"))) {
            throw ApiException.methodNotAllowed("watch images: Berth does not stream image changes");
        }
        List<Map<String, Object>> items = images();
        String version = Long.toString(versions.latest());
        if (Table.wanted(accept)) {
            List<Table.Row> rows = items.stream().map(i -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> status = (Map<String, Object>) i.get("status");
                @SuppressWarnings("unchecked")
                List<String> refs = (List<String>) status.get("references");
                return new Table.Row(List.of(name(i), String.join(",", refs), humanSize((Long) status.get("size")),
                        status.get("created") == null ? "<unknown>" : Table.age((String) status.get("created"), Instant.now()) + " ago",
                        status.get("digest")), "None".equals(params.get("includeObject")) ? null : i);
            }).toList();
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(COLUMNS, rows, version));
        }
        return json.ok(Map.of("apiVersion", GROUP + "/" + VERSION, "kind", "ImageList", "metadata", Map.of("resourceVersion", version),
                "items", items));
    }

    @GetMapping("/apis/berth.io/v1/images/{name}")
    public ResponseEntity<byte[]> get(@PathVariable String name) {
        return json.ok(images().stream().filter(i -> name(i).equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("images.berth.io", name)));
    }

    @SuppressWarnings("unchecked")
    private static String name(Map<String, Object> image) {
        return (String) ((Map<String, Object>) image.get("metadata")).get("name");
    }

    private List<Map<String, Object>> images() {
        List<ImageSummary> all;
        try {
            all = store.list();
        } catch (IOException e) {
            throw ApiException.internal("cannot read the image store: " + e.getMessage());
        }
        Map<String, Map<String, Object>> byDigest = new LinkedHashMap<>();
        for (ImageSummary s : all) {
            Map<String, Object> image = byDigest.computeIfAbsent(s.digest().toString(), d -> {
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("digest", d);
                status.put("references", new ArrayList<String>());
                status.put("size", s.size());
                status.put("created", s.created());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("apiVersion", GROUP + "/" + VERSION);
                m.put("kind", "Image");
                m.put("metadata", Map.of("name", "sha256-" + s.digest().hex().substring(0, 12)));
                m.put("status", status);
                return m;
            });
            @SuppressWarnings("unchecked")
            List<String> refs = (List<String>) ((Map<String, Object>) image.get("status")).get("references");
            refs.add(s.name());
        }
        return new ArrayList<>(byDigest.values());
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1fKiB", bytes / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / (1024.0 * 1024));
    }
}
