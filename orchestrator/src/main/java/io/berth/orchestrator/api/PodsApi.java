package io.berth.orchestrator.api;

import io.berth.apimachinery.labels.InvalidSelectorException;
import io.berth.apimachinery.labels.LabelSelector;
import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.pods.PodWatchHub;
import io.berth.orchestrator.store.WatchHistory;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** core/v1 pods: list (and Table), watch, get, create, replace, patch, delete. */
@RestController
public class PodsApi {

    static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
            "spec.schedulerName", "status.phase", "status.podIP");
    /** While a watch is idle, a newline this often: JSON decoders skip it, and a gone client is noticed. */
    private static final long KEEPALIVE_MILLIS = 10_000;
    /** With allowWatchBookmarks, a BOOKMARK this often (the apiserver's watch cache: about once a minute). */
    private static final long BOOKMARK_MILLIS = 60_000;
    /** ...and one this long before a timeoutSeconds ends the watch, so the client resumes from it (as the apiserver). */
    private static final long BOOKMARK_BEFORE_TIMEOUT_MILLIS = 2_000;
    /** The annotation of the bookmark that ends a sendInitialEvents watch's initial ADDED events. */
    static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

    private final PodService pods;
    private final ApiJson json;

    public PodsApi(PodService pods, ApiJson json) {
        this.pods = pods;
        this.json = json;
    }

    @GetMapping("/api/v1/pods")
    public ResponseEntity<byte[]> listAll(HttpServletRequest req, HttpServletResponse resp,
                                          @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                          @RequestParam Map<String, String> params) throws IOException {
        return list(null, req, resp, accept, params);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/pods")
    public ResponseEntity<byte[]> list(@PathVariable String namespace, HttpServletRequest req, HttpServletResponse resp,
                                       @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                       @RequestParam Map<String, String> params) throws IOException {
        LabelSelector labels = labelSelector(params.get("labelSelector"));
        FieldSelector fields = FieldSelector.parse(params.get("fieldSelector"), "pods", FIELDS);
        Predicate<Pod> match = p -> labels.test(p.getMetadata().getLabels()) && fields.matches(f -> field(p, f));
        if (isTrue(params.get("watch"))) {
            watch(namespace, match, params, Table.wanted(accept), resp);
            return null;
        }
        PodService.Listing listing = pods.list(namespace);
        List<Pod> items = listing.items().stream().filter(match).toList();
        String version = Long.toString(listing.version());
        if (Table.wanted(accept)) {
            Instant now = Instant.now();
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(PodTable.COLUMNS,
                    items.stream().map(p -> PodTable.row(p, params.get("includeObject"), now)).toList(), version));
        }
        PodList list = new PodList("v1", items, "PodList", new io.fabric8.kubernetes.api.model.ListMetaBuilder().withResourceVersion(version).build());
        return json.ok(list);
    }

    @GetMapping({"/api/v1/namespaces/{namespace}/pods/{name}", "/api/v1/namespaces/{namespace}/pods/{name}/status"})
    public ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name,
                                      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                      @RequestParam(required = false) String includeObject) {
        Pod pod = pods.get(namespace, name);
        if (Table.wanted(accept)) {
            return json.respond(HttpStatus.OK, Table.CONTENT_TYPE, Table.of(PodTable.COLUMNS,
                    List.of(PodTable.row(pod, includeObject, Instant.now())), pod.getMetadata().getResourceVersion()));
        }
        return json.ok(pod);
    }

    @PostMapping("/api/v1/namespaces/{namespace}/pods")
    public ResponseEntity<byte[]> create(@PathVariable String namespace, HttpServletRequest req,
                                         @RequestParam(required = false) String dryRun) throws IOException {
        boolean dry = dryRun(dryRun);
        JsonNode doc = json.parse(json.readBody(req.getInputStream()), req.getContentType());
        return json.respond(HttpStatus.CREATED, pods.create(namespace, doc, dry));
    }

    @PutMapping("/api/v1/namespaces/{namespace}/pods/{name}")
    public ResponseEntity<byte[]> replace(@PathVariable String namespace, @PathVariable String name, HttpServletRequest req,
                                          @RequestParam(required = false) String dryRun) throws IOException {
        boolean dry = dryRun(dryRun);
        JsonNode doc = json.parse(json.readBody(req.getInputStream()), req.getContentType());
        return json.ok(pods.replace(namespace, name, doc, dry));
    }

    @PatchMapping("/api/v1/namespaces/{namespace}/pods/{name}")
    public ResponseEntity<byte[]> patch(@PathVariable String namespace, @PathVariable String name, HttpServletRequest req,
                                        @RequestParam(required = false) String dryRun) throws IOException {
        boolean dry = dryRun(dryRun);
        String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("application/apply-patch")) {
            // Server-side apply needs managed fields and field ownership per manager: refused by name.
            throw ApiException.unsupportedMediaType(req.getContentType() + ": server-side apply is not supported by Berth; "
                    + "use client-side apply (kubectl apply without --server-side) or kubectl patch", List.of(
                    "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"));
        }
        // The patch itself is JSON whatever its media type says (…merge-patch+json).
        JsonNode patch = json.parse(json.readBody(req.getInputStream()), "application/json");
        return json.ok(pods.patch(namespace, name, req.getContentType(), patch, dry));
    }

    @DeleteMapping("/api/v1/namespaces/{namespace}/pods/{name}")
    public ResponseEntity<byte[]> delete(@PathVariable String namespace, @PathVariable String name, HttpServletRequest req,
                                         @RequestParam(required = false) Long gracePeriodSeconds,
                                         @RequestParam(required = false) String dryRun) throws IOException {
        boolean dry = dryRun(dryRun);
        Long grace = gracePeriodSeconds;
        String uid = null;
        String version = null;
        byte[] body = json.readBody(req.getInputStream());
        if (body.length > 0) {
            DeleteOptions options = json.convert(json.parse(body, req.getContentType()), DeleteOptions.class);
            if (options.getDryRun() != null && !options.getDryRun().isEmpty()) {
                dry = dryRun(String.join(",", options.getDryRun()));
            }
            if (options.getGracePeriodSeconds() != null) {
                grace = options.getGracePeriodSeconds();
            }
            if (options.getPreconditions() != null) {
                uid = options.getPreconditions().getUid();
                version = options.getPreconditions().getResourceVersion();
            }
        }
        return json.ok(pods.delete(namespace, name, grace, uid, version, dry));
    }

    /**
     * A chunked stream of watch events, one JSON object per line, until the client goes, the
     * timeout passes or the daemon stops. Without a resourceVersion (or "0") the current pods come
     * first as ADDED, as from the apiserver; with sendInitialEvents=true too, ended by a BOOKMARK
     * annotated {@value #INITIAL_EVENTS_END} (the watch-list protocol, KEP-3157). With
     * allowWatchBookmarks=true, BOOKMARK events carry the version the watch has delivered up to.
     */
    private void watch(String namespace, Predicate<Pod> match, Map<String, String> params, boolean table,
                       HttpServletResponse resp) throws IOException {
        String from = params.get("resourceVersion");
        boolean bookmarks = isTrue(params.get("allowWatchBookmarks"));
        boolean initialEvents = isTrue(params.get("sendInitialEvents"));
        if (params.containsKey("sendInitialEvents")) {
            // The apiserver's rules for the watch-list protocol (apimachinery ValidateListOptions).
            if (!"NotOlderThan".equals(params.get("resourceVersionMatch"))) {
                throw ApiException.badRequest("sendInitialEvents requires resourceVersionMatch=NotOlderThan");
            }
            if (initialEvents && !bookmarks) {
                throw ApiException.badRequest("sendInitialEvents=true requires allowWatchBookmarks=true");
            }
        }
        boolean fromNow = initialEvents || from == null || from.isEmpty() || from.equals("0");
        long timeoutSeconds = params.containsKey("timeoutSeconds") ? Long.parseLong(params.get("timeoutSeconds")) : 0;
        String includeObject = params.get("includeObject");
        PodWatchHub hub = pods.hub();
        PodWatchHub.Subscription sub;
        List<Pod> initial = List.of();
        long initialVersion = 0;
        resp.setStatus(200);
        resp.setContentType(table ? Table.CONTENT_TYPE : "application/json");
        OutputStream out = resp.getOutputStream();
        try {
            if (fromNow) {
                PodService.Snapshot s = pods.listAndWatch(namespace);
                sub = s.subscription();
                initial = s.listing().items();
                initialVersion = s.listing().version();
            } else {
                sub = pods.versions().read(() -> hub.subscribe(parseVersion(from)));
            }
        } catch (ApiException e) {
            writeEvent(out, "ERROR", e.status());
            return;
        }
        try {
            for (Pod p : initial) {
                if (match.test(p)) {
                    writeEvent(out, "ADDED", table ? tableOf(p, includeObject) : p);
                }
            }
            if (initialEvents) {
                writeEvent(out, "BOOKMARK", bookmark(initialVersion, true));
            }
            resp.flushBuffer();
            long started = System.currentTimeMillis();
            long deadline = timeoutSeconds > 0 ? started + timeoutSeconds * 1000 : Long.MAX_VALUE;
            long lastWrite = started;
            long nextBookmark = bookmarks ? nextBookmark(started, deadline) : Long.MAX_VALUE;
            while (!hub.closed() && System.currentTimeMillis() < deadline) {
                WatchHistory.Change c = sub.queue.poll(Math.max(1, Math.min(500, nextBookmark - System.currentTimeMillis())),
                        TimeUnit.MILLISECONDS);
                long now = System.currentTimeMillis();
                if (c == null && bookmarks && now >= nextBookmark) {
                    // Under the write lock: every write up to "latest" has been queued for this watch,
                    // so with the queue empty the client has seen all of them.
                    PodWatchHub.Subscription s = sub;
                    long upTo = pods.versions().read(() -> s.queue.isEmpty() ? pods.versions().latest() : -1L);
                    if (upTo >= 0) {
                        writeEvent(out, "BOOKMARK", bookmark(upTo, false));
                        resp.flushBuffer();
                        lastWrite = now;
                        nextBookmark = nextBookmark(now, deadline);
                    } // else: changes came meanwhile; the bookmark follows them
                    continue;
                }
                if (c == null) {
                    if (now - lastWrite > KEEPALIVE_MILLIS) {
                        out.write('\n');
                        resp.flushBuffer();
                        lastWrite = now;
                    }
                    continue;
                }
                if (namespace != null && !namespace.equals(c.pod().getMetadata().getNamespace()) || !match.test(c.pod())) {
                    continue;
                }
                writeEvent(out, c.type().name(), table ? tableOf(c.pod(), includeObject) : c.pod());
                resp.flushBuffer();
                lastWrite = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the client closed the watch: nothing to answer
        } finally {
            hub.unsubscribe(sub);
        }
    }

    /** A minute on, or just before the watch's timeout when that comes first (and is still ahead). */
    private static long nextBookmark(long now, long deadline) {
        long beforeTimeout = deadline - BOOKMARK_BEFORE_TIMEOUT_MILLIS;
        return now < beforeTimeout && beforeTimeout < now + BOOKMARK_MILLIS ? beforeTimeout : now + BOOKMARK_MILLIS;
    }

    /** What a BOOKMARK carries: an object of the watched kind with only its resourceVersion (and the end marker). */
    private static Map<String, Object> bookmark(long version, boolean initialEventsEnd) {
        Map<String, Object> meta = new java.util.LinkedHashMap<>();
        meta.put("resourceVersion", Long.toString(version));
        if (initialEventsEnd) {
            meta.put("annotations", Map.of(INITIAL_EVENTS_END, "true"));
        }
        return Map.of("kind", "Pod", "apiVersion", "v1", "metadata", meta);
    }

    private Table tableOf(Pod p, String includeObject) {
        return Table.of(PodTable.COLUMNS, List.of(PodTable.row(p, includeObject, Instant.now())), p.getMetadata().getResourceVersion());
    }

    private void writeEvent(OutputStream out, String type, Object object) throws IOException {
        out.write(json.write(Map.of("type", type, "object", object)));
        out.write('\n');
    }

    private static long parseVersion(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version \"" + v + "\"");
        }
    }

    static String field(Pod p, String field) {
        return switch (field) {
            case "metadata.name" -> p.getMetadata().getName();
            case "metadata.namespace" -> p.getMetadata().getNamespace();
            case "spec.nodeName" -> p.getSpec().getNodeName();
            case "spec.restartPolicy" -> p.getSpec().getRestartPolicy();
            case "spec.schedulerName" -> "default-scheduler";
            case "status.phase" -> p.getStatus() == null ? null : p.getStatus().getPhase();
            case "status.podIP" -> p.getStatus() == null ? null : p.getStatus().getPodIP();
            default -> null;
        };
    }

    /** {@code ?labelSelector=}: one that does not parse is a 400, worded as the apiserver words it. */
    static LabelSelector labelSelector(String text) {
        try {
            return LabelSelector.parse(text);
        } catch (InvalidSelectorException e) {
            throw ApiException.badRequest("unable to parse requirement: " + e.reason() + " in selector \"" + e.selector() + "\"");
        }
    }

    static boolean isTrue(String v) {
        return v != null && (v.equals("true") || v.equals("1"));
    }

    /** dryRun=All: every check, no write (the apiserver's only value); any other value is refused by name. */
    static boolean dryRun(String dryRun) {
        if (dryRun == null || dryRun.isEmpty()) {
            return false;
        }
        if (!dryRun.equals("All")) {
            throw ApiException.badRequest("Invalid dryRun value \"" + dryRun + "\": supported values: \"All\"");
        }
        return true;
    }
}
