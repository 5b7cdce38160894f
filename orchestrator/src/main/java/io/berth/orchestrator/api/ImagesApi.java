package io.berth.orchestrator.api;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;
import io.berth.orchestrator.store.ResourceVersions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * berth.io/v1 Image: the images in the node's store ({@code kubectl get images}); created by an
 * import or a pull, deleted unless a pod uses them ({@link ImageWrites} does the work). One
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
    private final ImageWrites writes;

    public ImagesApi(ImageStore store, ResourceVersions versions, ApiJson json, ImageWrites writes) {
        this.store = store;
        this.versions = versions;
        this.json = json;
        this.writes = writes;
    }

    /**
     * Import or pull. A JSON body is an Image object asking for a pull ({@code spec.pull: REF}; the
     * image is then named REF's canonical form); any other body is an image archive, imported
     * under the {@code name} query parameter (an archive's own tag when absent), {@code format}
     * rootfs, oci-archive, docker-archive or auto (the default: read from the files inside).
     * A pull with {@code progress=true} is answered at once with a chunked stream instead, see
     * {@link #pullWithProgress}.
     */
    @PostMapping("/apis/berth.io/v1/images")
    public ResponseEntity<byte[]> create(HttpServletRequest request, HttpServletResponse response,
                                         @RequestParam(value = "name", required = false) String name,
                                         @RequestParam(value = "format", required = false) String format,
                                         @RequestParam(value = "progress", required = false) String progress) throws IOException {
        String type = request.getContentType();
        ImageSummary imported;
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            JsonNode body = json.parse(json.readBody(body(request)), type);
            JsonNode ref = body.path("spec").path("pull");
            String pull = ref.isString() ? ref.asString() : null;
            if (pull == null || pull.isBlank()) {
                throw ApiException.badRequest("an Image object asks for a pull with spec.pull: REF (to import an archive,"
                        + " send the archive itself as the body, Content-Type application/octet-stream)");
            }
            if (PodsApi.isTrue(progress)) {
                pullWithProgress(pull, response);
                return null;
            }
            imported = writes.pull(pull, Progress.NONE);
        } else {
            imported = writes.importArchive(body(request), request.getContentLengthLong(), name,
                    format == null || format.isBlank() || format.equals("auto") ? null : ImageArchiveKind.parse(format));
        }
        return json.respond(HttpStatus.CREATED, image(imported));
    }

    private Map<String, Object> image(ImageSummary imported) {
        String digest = imported.digest().toString();
        return images().stream().filter(i -> digest.equals(status(i).get("digest"))).findFirst()
                .orElseThrow(() -> ApiException.internal("image " + imported.name() + " vanished right after its import"));
    }

    /** Least time between two progress lines of one blob: a fast pull must not become a flood of lines. */
    private static final long PROGRESS_EVERY_NANOS = 200_000_000L;

    /**
     * A pull that reports as it goes (for the console's progress bars): status 200 at once, then
     * a chunked stream of JSON objects, one a line (as a watch): {@code {"type":"Progress",
     * "digest":D,"done":N,"total":M}} for each blob, at most five a second per blob and always its
     * last, then either {@code {"type":"Pulled","object":IMAGE}} or {@code {"type":"Failed",
     * "object":STATUS}} (a metav1.Status with the code the plain request would have answered).
     */
    private void pullWithProgress(String reference, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("application/json");
        java.io.OutputStream out = response.getOutputStream();
        response.flushBuffer();
        Map<String, Long> lastLine = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean clientGone = new java.util.concurrent.atomic.AtomicBoolean();
        Progress progress = (digest, done, total) -> {
            long now = System.nanoTime();
            Long last = lastLine.get(digest.toString());
            if (clientGone.get() || done < total && last != null && now - last < PROGRESS_EVERY_NANOS) {
                return;
            }
            lastLine.put(digest.toString(), now);
            Map<String, Object> line = new java.util.LinkedHashMap<>();
            line.put("type", "Progress");
            line.put("digest", digest.toString());
            line.put("done", done);
            line.put("total", total);
            try {
                writeLine(out, line, response);
            } catch (IOException e) {
                clientGone.set(true); // the pull goes on: the image is wanted even if nobody watches
            }
        };
        Map<String, Object> last;
        try {
            last = Map.of("type", "Pulled", "object", image(writes.pull(reference, progress)));
        } catch (ApiException e) {
            last = Map.of("type", "Failed", "object", e.status());
        }
        if (!clientGone.get()) {
            try {
                writeLine(out, last, response);
            } catch (IOException e) {
                // the client went away before the end
            }
        }
    }

    private void writeLine(java.io.OutputStream out, Object value, HttpServletResponse response) throws IOException {
        synchronized (out) {
            out.write(json.write(value));
            out.write('\n');
            response.flushBuffer();
        }
    }

    /**
     * Removes an image: every reference that names it, or only {@code reference} (which must name
     * it). Refused with 409 while a pod's container uses it; what no image needs any more is
     * collected.
     */
    @DeleteMapping("/apis/berth.io/v1/images/{name}")
    public ResponseEntity<byte[]> delete(@PathVariable String name,
                                         @RequestParam(value = "reference", required = false) String reference) {
        Map<String, Object> image = images().stream().filter(i -> name(i).equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("images.berth.io", name));
        @SuppressWarnings("unchecked")
        List<String> refs = (List<String>) status(image).get("references");
        List<String> remove = refs;
        if (reference != null && !reference.isBlank()) {
            String canonical = ImageWrites.canonical(reference);
            if (!refs.contains(canonical)) {
                throw ApiException.badRequest("image " + name + " is not named " + canonical + ": its names are " + refs);
            }
            remove = List.of(canonical);
        }
        writes.remove(name, remove);
        return json.ok(Map.of("apiVersion", "v1", "kind", "Status", "metadata", Map.of(), "status", "Success",
                "details", Map.of("name", name, "group", GROUP, "kind", "images")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(Map<String, Object> image) {
        return (Map<String, Object>) image.get("status");
    }

    private static java.io.InputStream body(HttpServletRequest request) {
        try {
            return request.getInputStream();
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** {@code reference=REF} keeps only the image REF names (in any form: busybox is docker.io/library/busybox:latest). */
    @GetMapping("/apis/berth.io/v1/images")
    public ResponseEntity<byte[]> list(@RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                       @RequestParam Map<String, String> params) {
        if (PodsApi.isTrue(params.get("watch"))) {
            throw ApiException.methodNotAllowed("watch images: Berth does not stream image changes");
        }
        List<Map<String, Object>> items = images();
        String reference = params.get("reference");
        if (reference != null && !reference.isBlank()) {
            String canonical = ImageWrites.canonical(reference);
            items = items.stream().filter(i -> ((List<?>) status(i).get("references")).contains(canonical)).toList();
        }
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
