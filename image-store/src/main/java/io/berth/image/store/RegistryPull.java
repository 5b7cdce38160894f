package io.berth.image.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.berth.image.content.Descriptor;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;
import io.berth.image.registry.RegistryClient;
import io.berth.image.registry.ResolvedImage;

/**
 * pull: an image from an OCI Distribution registry into the store, under its canonical name.
 * The manifest and config arrive verified in memory; each layer the store lacks is downloaded into
 * its deterministic ingest file (so an interrupted pull resumes where it stopped), verified again
 * by the store as it is committed, then the image is registered, which unpacks its layers once.
 */
final class RegistryPull {
    /** Layers downloaded at once: enough to hide a registry's latency, few enough for 2 cores. */
    static final int PARALLEL_BLOBS = 4;

    private RegistryPull() {
    }

    static ImageSummary run(ImageStore store, RegistryClient client, ImageReference ref, Platform platform, Progress progress)
            throws IOException {
        ResolvedImage image = client.resolve(ref, platform);
        ContentStore content = store.content();
        content.put(image.configBytes(), image.configDescriptor().mediaType());
        List<Descriptor> missing = image.layers().stream().filter(d -> !content.has(d.digest())).toList();
        fetch(content, client, image, missing, progress);
        String mediaType = image.mediaType() == null ? MediaTypes.OCI_MANIFEST : image.mediaType();
        Descriptor manifest = content.put(image.manifestBytes(), mediaType);
        return store.register(ref.toString(), manifest, progress);
    }

    private static void fetch(ContentStore content, RegistryClient client, ResolvedImage image, List<Descriptor> layers,
            Progress progress) throws IOException {
        if (layers.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_BLOBS, layers.size()), r -> {
            Thread t = new Thread(r, "berth-pull");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Descriptor d : layers) {
                jobs.add(pool.submit(() -> {
                    var ingest = content.ingestPath(d.digest());
                    client.fetchBlob(image.ref(), d, ingest, progress);
                    try {
                        content.commit(d, ingest);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("pull of " + image.ref() + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("pull of " + image.ref() + " interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
