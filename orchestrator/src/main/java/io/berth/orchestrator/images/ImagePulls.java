package io.berth.orchestrator.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import io.berth.image.content.Progress;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;
import io.berth.image.registry.RegistryClient;
import io.berth.image.registry.RegistryConfig;
import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;

/**
 * Every registry pull of one node's store, whoever asks (a pod's container through
 * {@link ImageManager}, the Images API): a request for a reference already being pulled waits for
 * that pull and gets its result, instead of pulling again; and pulls of different references run
 * one at a time, because two pulls sharing a layer would write the same resumable ingest file
 * ({@code images/ingest/<digest>.partial}).
 */
public final class ImagePulls {

    private final ImageStore store;
    private final Object oneAtATime = new Object();
    private final Map<String, CompletableFuture<ImageSummary>> inFlight = new ConcurrentHashMap<>();
    private RegistryClient registry;

    public ImagePulls(ImageStore store) {
        this.store = store;
    }

    /** Pulls {@code ref} (the platform the node runs), or waits for the pull of it already under way. */
    public ImageSummary pull(ImageReference ref) throws IOException {
        return pull(ref, Progress.NONE);
    }

    /**
     * As {@link #pull(ImageReference)}, with {@code progress} hearing each blob's bytes when this
     * call does the pull; a call that waits for a pull already under way hears nothing until it ends.
     */
    public ImageSummary pull(ImageReference ref, Progress progress) throws IOException {
        CompletableFuture<ImageSummary> mine = new CompletableFuture<>();
        CompletableFuture<ImageSummary> running = inFlight.putIfAbsent(ref.toString(), mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw rethrow(e.getCause());
            }
        }
        try {
            ImageSummary s;
            synchronized (oneAtATime) {
                if (registry == null) {
                    registry = new RegistryClient(RegistryConfig.defaults());
                }
                s = store.pull(ref, Platform.DEFAULT, registry, progress);
            }
            mine.complete(s);
            return s;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(ref.toString(), mine);
        }
    }

    /** How many pulls are under way or waited for (for tests and the log). */
    public int inFlight() {
        return inFlight.size();
    }

    private static IOException rethrow(Throwable cause) {
        if (cause instanceof IOException io) {
            return new IOException(io.getMessage(), io); // a new trace for this waiter; the message is the pull's
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        throw new UncheckedIOException(new IOException(cause));
    }
}
