package io.berth.orchestrator.pods;

import io.berth.orchestrator.api.ApiException;
import io.berth.orchestrator.api.ApiJson;
import io.berth.orchestrator.daemon.HostNode;
import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.berth.orchestrator.metrics.PodMetrics;
import io.berth.orchestrator.store.EventStore;
import io.berth.orchestrator.store.PodStore;
import io.berth.orchestrator.store.ResourceVersions;
import io.berth.orchestrator.store.WatchHistory;
import io.berth.orchestrator.store.WatchHistory.Change;
import io.berth.orchestrator.store.WatchHistory.Type;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pods as the API changes them and as the node side reports them: the records, their versions,
 * the watch events, and the calls into {@link PodRuntime}. Every write takes a fresh
 * resourceVersion and publishes its watch event under the same lock, so watchers see writes in
 * version order; a refused request writes nothing.
 */
@Service
public class PodService implements PodStatusListener, org.springframework.beans.factory.DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PodService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NAME_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

    private final PodStore pods;
    private final EventStore events;
    private final ResourceVersions versions;
    private final ApiJson json;
    private final HostNode node;
    private final PodMetrics metrics;
    // The node side calls back into this class: it is looked up when first needed, not injected.
    private final ObjectProvider<PodRuntime> runtime;
    /** Completed when {@link #resume} has handed the recorded pods to the node side. */
    private final java.util.concurrent.CompletableFuture<Void> handedOver = new java.util.concurrent.CompletableFuture<>();
    private final WatchHistory history;
    private final PodWatchHub hub;

    public PodService(PodStore pods, EventStore events, ResourceVersions versions, ApiJson json, HostNode node,
                      PodMetrics metrics, ObjectProvider<PodRuntime> runtime, WatchHistory history) {
        this.pods = pods;
        this.events = events;
        this.versions = versions;
        this.json = json;
        this.node = node;
        this.metrics = metrics;
        this.runtime = runtime;
        this.history = history;
        this.hub = new PodWatchHub(history);
        // What aged out while no daemon ran goes now, not at the 256th write.
        versions.read(() -> {
            history.prune(Instant.now(), WatchHistory.MAX_CHANGES, WatchHistory.MAX_AGE);
            return null;
        });
    }

    public PodWatchHub hub() {
        return hub;
    }

    public ResourceVersions versions() {
        return versions;
    }

    // ---- reads

    public Pod get(String namespace, String name) {
        return pods.get(namespace, name).orElseThrow(() -> ApiException.notFound("pods", name));
    }

    public Optional<Pod> byUid(String uid) {
        return pods.byUid(uid);
    }

    /** The pods (of one namespace, or all when null) and the version the list is consistent at. */
    public record Listing(List<Pod> items, long version) {
    }

    public Listing list(String namespace) {
        return versions.read(() -> new Listing(pods.list(namespace), versions.latest()));
    }

    /** A list and a subscription from the same instant: a watch from "now" that also gets the current pods. */
    public record Snapshot(Listing listing, PodWatchHub.Subscription subscription) {
    }

    public Snapshot listAndWatch(String namespace) {
        return versions.read(() -> {
            Listing l = new Listing(pods.list(namespace), versions.latest());
            return new Snapshot(l, hub.subscribe(l.version()));
        });
    }

    // ---- writes from the API

    /** @param dryRun validate and answer as if created, writing nothing (dryRun=All) */
    public Pod create(String namespace, JsonNode doc, boolean dryRun) {
        if (namespace.length() > 63 || !PodValidator.DNS1123_LABEL.matcher(namespace).matches()) {
            // Namespaces are not objects in Berth: any valid name may be used, so a bad one is the request's fault.
            throw ApiException.badRequest("invalid namespace \"" + namespace + "\": a namespace must be a lowercase RFC 1123 label");
        }
        refuseInvalid(doc);
        Pod pod = json.convert(doc, Pod.class);
        var meta = pod.getMetadata();
        if (meta.getNamespace() != null && !meta.getNamespace().isEmpty() && !meta.getNamespace().equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (meta.getName() == null || meta.getName().isEmpty()) {
            meta.setName(generatedName(meta.getGenerateName()));
        }
        if (meta.getResourceVersion() != null && !meta.getResourceVersion().isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        checkNodeName(pod);
        PodDefaults.apply(pod.getSpec(), node.name());
        Instant now = Instant.now();
        meta.setNamespace(namespace);
        meta.setUid(UUID.randomUUID().toString());
        meta.setCreationTimestamp(PodStore.format(now));
        meta.setGeneration(1L);
        meta.setDeletionTimestamp(null);
        meta.setDeletionGracePeriodSeconds(null);
        meta.setSelfLink(null);
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").build());
        if (dryRun) {
            // As the apiserver's dry run: every check a create makes, the name's too, and no resourceVersion.
            if (pods.get(namespace, meta.getName()).isPresent()) {
                throw ApiException.alreadyExists("pods", meta.getName());
            }
            return pod;
        }
        Pod created = write(Type.ADDED, v -> {
            meta.setResourceVersion(Long.toString(v));
            try {
                pods.insert(pod);
            } catch (DuplicateKeyException e) {
                throw ApiException.alreadyExists("pods", meta.getName());
            }
            return pod;
        });
        metrics.accepted(meta.getUid(), now, "Pending");
        node().sync(created);
        return created;
    }

    /** PUT: the whole object; only labels and annotations may change on a pod in Berth. */
    public Pod replace(String namespace, String name, JsonNode doc, boolean dryRun) {
        Pod current = get(namespace, name);
        return update(current, doc, dryRun);
    }

    /** The patch types the apiserver takes for a built-in kind, but server-side apply. */
    static final List<String> PATCH_TYPES = List.of("application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json");

    /**
     * A patch applies to the pod as stored when it is written: the object's version read with it
     * is a precondition of the write, and a write by someone else in between (the node side reports
     * status all the time) makes the patch apply again to the new object, as the apiserver's
     * GuaranteedUpdate does. A patch that names a stale resourceVersion itself still conflicts.
     */
    public Pod patch(String namespace, String name, String contentType, JsonNode patch, boolean dryRun) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        if (!PATCH_TYPES.stream().anyMatch(type::startsWith)) {
            throw ApiException.unsupportedMediaType(contentType, PATCH_TYPES);
        }
        for (int attempt = 1;; attempt++) {
            Pod current = get(namespace, name);
            JsonNode currentDoc = json.tree(current);
            JsonNode merged;
            if (type.startsWith("application/strategic-merge-patch+json")) {
                merged = Patches.strategicMergePatch(currentDoc, patch);
            } else if (type.startsWith("application/merge-patch+json")) {
                merged = Patches.mergePatch(currentDoc, patch);
            } else {
                merged = JsonPatch.apply(currentDoc, patch);
            }
            try {
                return update(current, merged, dryRun);
            } catch (ApiException e) {
                if (e.code() != 409 || attempt == PATCH_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** How often a patch is applied again after a concurrent write before its conflict is returned. */
    private static final int PATCH_ATTEMPTS = 5;

    private Pod update(Pod current, JsonNode doc, boolean dryRun) {
        if (doc.isObject()) {
            // What the node side reports is not the client's to change (as with the apiserver's main resource).
            ((ObjectNode) doc).remove("status");
        }
        refuseInvalid(doc);
        Pod next = json.convert(doc, Pod.class);
        var meta = next.getMetadata();
        var was = current.getMetadata();
        if (!was.getName().equals(meta.getName())) {
            throw ApiException.badRequest("the name of the object (" + meta.getName() + ") does not match the name on the URL ("
                    + was.getName() + ")");
        }
        if (meta.getNamespace() != null && !meta.getNamespace().isEmpty() && !meta.getNamespace().equals(was.getNamespace())) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (meta.getUid() != null && !meta.getUid().isEmpty() && !meta.getUid().equals(was.getUid())) {
            throw ApiException.conflict("pods", was.getName(), "Precondition failed: UID in precondition: " + meta.getUid()
                    + ", UID in object meta: " + was.getUid());
        }
        String wanted = meta.getResourceVersion();
        checkNodeName(next);
        PodDefaults.apply(next.getSpec(), node.name());
        // As the apiserver: of a pod's spec only the containers' images may change (the node side
        // restarts a container whose image changed); the rest is fixed at creation.
        if (!Objects.equals(withoutImages(next.getSpec()), withoutImages(current.getSpec()))) {
            throw ApiException.invalid("Pod", was.getName(), List.of(new StatusCause("spec",
                    "Forbidden: pod updates may not change fields other than metadata.labels, metadata.annotations, "
                            + "spec.containers[*].image and spec.initContainers[*].image",
                    "FieldValueForbidden")));
        }
        boolean newImages = !Objects.equals(json.tree(next.getSpec()), json.tree(current.getSpec()));
        if (!newImages && Objects.equals(nullIfEmpty(meta.getLabels()), nullIfEmpty(was.getLabels()))
                && Objects.equals(nullIfEmpty(meta.getAnnotations()), nullIfEmpty(was.getAnnotations()))
                && (wanted == null || wanted.isEmpty() || wanted.equals(was.getResourceVersion()))) {
            return current; // nothing changes: no new version, no watch event (as the apiserver)
        }
        if (dryRun) {
            if (wanted != null && !wanted.isEmpty() && !wanted.equals(was.getResourceVersion())) {
                throw ApiException.conflict("pods", was.getName(),
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            current.getMetadata().setLabels(nullIfEmpty(meta.getLabels()));
            current.getMetadata().setAnnotations(nullIfEmpty(meta.getAnnotations()));
            if (newImages) {
                current.setSpec(next.getSpec());
                current.getMetadata().setGeneration(current.getMetadata().getGeneration() + 1);
            }
            return current; // read for this request alone: changing it writes nothing
        }
        Pod updated = write(Type.MODIFIED, v -> {
            Pod stored = pods.byUid(was.getUid()).orElseThrow(() -> ApiException.notFound("pods", was.getName()));
            if (wanted != null && !wanted.isEmpty() && !wanted.equals(stored.getMetadata().getResourceVersion())) {
                throw ApiException.conflict("pods", was.getName(),
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            stored.getMetadata().setLabels(nullIfEmpty(meta.getLabels()));
            stored.getMetadata().setAnnotations(nullIfEmpty(meta.getAnnotations()));
            stored.getMetadata().setResourceVersion(Long.toString(v));
            if (newImages) {
                stored.setSpec(next.getSpec());
                stored.getMetadata().setGeneration(stored.getMetadata().getGeneration() + 1);
            }
            pods.update(stored);
            return stored;
        });
        if (newImages) {
            node().sync(updated);
        }
        return updated;
    }

    /** The spec as JSON with every container's image blanked: what an update must leave as it was. */
    private JsonNode withoutImages(io.fabric8.kubernetes.api.model.PodSpec spec) {
        JsonNode tree = json.tree(spec);
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : tree.path(list)) {
                if (c.isObject()) {
                    ((ObjectNode) c).remove("image");
                }
            }
        }
        return tree;
    }

    /**
     * Marks the pod deleted at once (deletionTimestamp, a MODIFIED event) and asks the node side to
     * stop it; the record goes when the node side reports {@link #podGone}. A second delete may
     * only shorten the grace period.
     */
    public Pod delete(String namespace, String name, Long gracePeriodSeconds, String preconditionUid, String preconditionVersion,
                      boolean dryRun) {
        Pod current = get(namespace, name);
        if (gracePeriodSeconds != null && gracePeriodSeconds < 0) {
            throw ApiException.invalid("DeleteOptions", null, List.of(new StatusCause("gracePeriodSeconds",
                    "Invalid value: " + gracePeriodSeconds + ": must be greater than or equal to 0", "FieldValueInvalid")));
        }
        long grace = gracePeriodSeconds != null ? gracePeriodSeconds
                : Optional.ofNullable(current.getSpec().getTerminationGracePeriodSeconds()).orElse(PodDefaults.TERMINATION_GRACE_PERIOD_SECONDS);
        Instant now = Instant.now();
        LongFunction<Pod> mark = v -> {
            Pod stored = dryRun ? current : pods.byUid(current.getMetadata().getUid()).orElseThrow(() -> ApiException.notFound("pods", name));
            var m = stored.getMetadata();
            if (preconditionUid != null && !preconditionUid.isEmpty() && !preconditionUid.equals(m.getUid())) {
                throw ApiException.conflict("pods", name, "Precondition failed: UID in precondition: " + preconditionUid
                        + ", UID in object meta: " + m.getUid());
            }
            if (preconditionVersion != null && !preconditionVersion.isEmpty() && !preconditionVersion.equals(m.getResourceVersion())) {
                throw ApiException.conflict("pods", name, "Precondition failed: ResourceVersion in precondition: "
                        + preconditionVersion + ", ResourceVersion in object meta: " + m.getResourceVersion());
            }
            if (m.getDeletionGracePeriodSeconds() != null && m.getDeletionGracePeriodSeconds() <= grace) {
                return null; // already being deleted at least as fast
            }
            m.setDeletionTimestamp(PodStore.format(now.plusSeconds(grace)));
            m.setDeletionGracePeriodSeconds(grace);
            if (!dryRun) {
                m.setResourceVersion(Long.toString(v));
                pods.update(stored);
            }
            return stored;
        };
        if (dryRun) {
            // The checks and the answer of a delete; the node side is not asked to stop anything.
            Pod answer = mark.apply(0);
            return answer == null ? current : answer;
        }
        Pod marked = write(Type.MODIFIED, mark);
        if (marked == null) {
            return get(namespace, name);
        }
        node().terminate(marked.getMetadata().getUid(), Duration.ofSeconds(grace));
        return marked;
    }

    // ---- what the node side reports

    @Override
    public void statusChanged(String podUid, PodStatus status) {
        Instant now = Instant.now();
        Pod updated = write(Type.MODIFIED, v -> {
            Pod stored = pods.byUid(podUid).orElse(null);
            if (stored == null || Objects.equals(stored.getStatus(), status)) {
                return null;
            }
            stored.setStatus(status);
            stored.getMetadata().setResourceVersion(Long.toString(v));
            pods.update(stored);
            pods.saveContainers(podUid, status);
            return stored;
        });
        if (updated != null) {
            metrics.observed(podUid, status, now);
        }
    }

    @Override
    public void event(String podUid, String type, String reason, String message) {
        Instant now = Instant.now();
        versions.write(v -> {
            Pod pod = pods.byUid(podUid).orElse(null);
            if (pod == null) {
                log.info("event for a pod no longer recorded ({}): {} {} {}", podUid, type, reason, message);
                return null;
            }
            var ref = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
                    .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withUid(podUid).withResourceVersion(pod.getMetadata().getResourceVersion()).build();
            return events.record(ref, type, reason, message, node.name(), v, now);
        }, e -> { });
    }

    @Override
    public void startupStep(String podUid, String step, Duration took) {
        metrics.step(podUid, step, took);
    }

    @Override
    public void podGone(String podUid) {
        Pod removed = write(Type.DELETED, v -> {
            Pod stored = pods.byUid(podUid).orElse(null);
            if (stored == null) {
                return null;
            }
            pods.delete(podUid);
            stored.getMetadata().setResourceVersion(Long.toString(v));
            return stored;
        });
        if (removed != null) {
            metrics.gone(podUid);
        }
    }

    // ---- daemon start

    /**
     * Hands every recorded pod to the node side, and resumes the deletions a previous daemon began.
     * The daemon runs this beside the rest of its start (DaemonReady), so the API may already answer:
     * what it asks of the node side waits until this is done ({@link #node()}). The pods' adoption
     * waits for {@code admit} (PodRuntime.resume).
     */
    public void resume(java.util.concurrent.CompletionStage<?> admit) {
        try {
            long t0 = System.nanoTime();
            List<Pod> all = pods.list(null);
            log.info("read {} pods from the database in {} ms", all.size(), (System.nanoTime() - t0) / 1_000_000);
            for (Pod p : all) {
                metrics.known(p.getMetadata().getUid(), p.getStatus() == null ? null : p.getStatus().getPhase());
            }
            PodRuntime rt = runtime.getObject();
            rt.resume(all, admit);
            Instant now = Instant.now();
            for (Pod p : all) {
                String deadline = p.getMetadata().getDeletionTimestamp();
                if (deadline != null) {
                    Duration left = Duration.between(now, Instant.parse(deadline));
                    rt.terminate(p.getMetadata().getUid(), left.isNegative() ? Duration.ZERO : left);
                }
            }
            handedOver.complete(null);
        } catch (RuntimeException | Error e) {
            handedOver.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * The node side, once it has the recorded pods. A pod created, changed or deleted through the API
     * before that would race the resume's read: a new pod's record without its row read would be
     * taken for a pod deleted while the daemon was down, and a delete could reach a pod before its
     * worker exists. The wait is the resume's read and queueing (well under a second at 500 pods).
     */
    private PodRuntime node() {
        try {
            handedOver.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("the node side did not take over the recorded pods: " + e.getCause().getMessage(), e.getCause());
        }
        return runtime.getObject();
    }

    @Override
    public void destroy() {
        hub.close();
    }

    // ---- helpers

    /**
     * One write to a pod with a fresh version: the change goes into the watch history in the same
     * transaction, and to live watchers after commit. {@code body} returns null to write nothing.
     */
    private Pod write(Type type, LongFunction<Pod> body) {
        return versions.write(v -> {
            Pod p = body.apply(v);
            if (p != null) {
                history.record(new Change(type, v, p), Instant.now());
            }
            return p;
        }, p -> {
            if (p != null) {
                hub.publish(new Change(type, version(p), p));
            }
        });
    }

    private static void refuseInvalid(JsonNode doc) {
        if (!doc.isObject()) {
            throw ApiException.badRequest("the body must be a JSON or YAML object, a Pod");
        }
        List<StatusCause> causes = PodValidator.validate(doc);
        if (!causes.isEmpty()) {
            throw ApiException.invalid("Pod", doc.path("metadata").path("name").asString(""), causes);
        }
    }

    private void checkNodeName(Pod pod) {
        String asked = pod.getSpec().getNodeName();
        if (asked != null && !asked.isEmpty() && !asked.equals(node.name())) {
            throw ApiException.invalid("Pod", pod.getMetadata().getName(), List.of(new StatusCause("spec.nodeName",
                    "Invalid value: \"" + asked + "\": Berth runs pods only on its own node \"" + node.name() + "\"",
                    "FieldValueInvalid")));
        }
    }

    private static String generatedName(String prefix) {
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < 5; i++) {
            b.append(NAME_SUFFIX_CHARS.charAt(RANDOM.nextInt(NAME_SUFFIX_CHARS.length())));
        }
        return b.toString();
    }

    private static <K, V> java.util.Map<K, V> nullIfEmpty(java.util.Map<K, V> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    static long version(Pod p) {
        return Long.parseLong(p.getMetadata().getResourceVersion());
    }
}
