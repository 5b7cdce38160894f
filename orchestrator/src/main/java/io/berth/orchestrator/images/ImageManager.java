package io.berth.orchestrator.images;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

import io.berth.image.reference.ImageReference;
import io.berth.image.store.ImageDetails;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.reconcile.BackoffPolicy;
import io.berth.orchestrator.reconcile.RestartBackoff;

/**
 * The kubelet's images/image_manager.go: applies a container's imagePullPolicy, pulls when it says
 * so, and backs off failing pulls per image (ErrImagePull, then ImagePullBackOff until the delay
 * has passed).
 */
public final class ImageManager {
    /** What the worker needs: the image, or why the container waits. */
    public record Result(ImageDetails image, String reason, String message, Instant retryAt, boolean pulled) {
        static Result ok(ImageDetails d, boolean pulled) {
            return new Result(d, null, null, null, pulled);
        }

        public boolean ready() {
            return image != null;
        }
    }

    private final ImageStore store;
    private final RestartBackoff backoff;
    private final Clock clock;
    /** Shared with the Images API: one pull per reference at a time, and one pull at a time. */
    private final ImagePulls pulls;
    private final java.util.Map<String, ImageDetails> inspected = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Instant> lastFailure = new java.util.concurrent.ConcurrentHashMap<>();

    public ImageManager(ImageStore store, BackoffPolicy policy, Clock clock) {
        this.store = store;
        this.backoff = new RestartBackoff(policy);
        this.clock = clock;
        this.pulls = new ImagePulls(store);
    }

    public ImageStore store() {
        return store;
    }

    public ImagePulls pulls() {
        return pulls;
    }

    /** The kubelet's default when the API left it unset: Always for :latest or no tag, else IfNotPresent. */
    public static String effectivePolicy(String image, String policy) {
        if (policy != null && !policy.isEmpty()) {
            return policy;
        }
        String tail = image.substring(image.lastIndexOf('/') + 1);
        if (tail.contains("@")) {
            return "IfNotPresent";
        }
        return !tail.contains(":") || tail.endsWith(":latest") ? "Always" : "IfNotPresent";
    }

    public Result ensure(String image, String pullPolicy) {
        String policy = effectivePolicy(image, pullPolicy);
        boolean present;
        java.util.Optional<io.berth.image.content.Digest> digest;
        try {
            digest = store.resolve(image);
            present = digest.isPresent();
        } catch (IOException | RuntimeException e) {
            return new Result(null, "InvalidImageName", "Failed to apply default image tag \"" + image + "\": " + e.getMessage(), null, false);
        }
        if ("Never".equals(policy)) {
            return present ? inspect(image, digest, false)
                    : new Result(null, "ErrImageNeverPull", "Container image \"" + image + "\" is not present with pull policy of Never", null, false);
        }
        if (present && "IfNotPresent".equals(policy)) {
            return inspect(image, digest, false);
        }
        Instant now = clock.instant();
        Instant failed = lastFailure.get(image);
        if (failed != null && backoff.inBackOffSince(image, failed, now)) {
            return new Result(null, "ImagePullBackOff", "Back-off pulling image \"" + image + "\"", backoff.retryAt(image, failed), false);
        }
        try {
            pulls.pull(ImageReference.parse(image));
            lastFailure.remove(image);
            return inspect(image, store.resolve(image), true);
        } catch (IOException | RuntimeException e) {
            backoff.next(image, now);
            lastFailure.put(image, now);
            return new Result(null, "ErrImagePull", "failed to pull image \"" + image + "\": " + e.getMessage(),
                    backoff.retryAt(image, now), false);
        }
    }

    private Result inspect(String image, java.util.Optional<io.berth.image.content.Digest> digest, boolean pulled) {
        try {
            // A manifest digest names its content for ever: parse it once, not on every container start.
            if (digest.isPresent()) {
                ImageDetails known = inspected.get(image + "@" + digest.get());
                if (known != null) {
                    return Result.ok(known, pulled);
                }
            }
            ImageDetails d = store.inspect(image);
            inspected.put(image + "@" + d.manifestDescriptor().digest(), d);
            return Result.ok(d, pulled);
        } catch (IOException | RuntimeException e) {
            return new Result(null, "ErrImageInspect", "cannot inspect image \"" + image + "\": " + e.getMessage(), null, false);
        }
    }

    /** The status's imageID: the name and the manifest digest, as the CRI reports it. */
    public static String imageId(ImageDetails d) {
        String name = d.name();
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        return name + "@" + d.manifestDescriptor().digest();
    }
}
