package io.berth.orchestrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.berth.image.content.Digest;
import io.berth.image.content.Progress;
import io.berth.image.reference.ImageReference;
import io.berth.image.store.ImageInUseException;
import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;
import io.berth.image.store.NoSuchImageException;
import io.berth.orchestrator.images.ImagePulls;
import io.berth.orchestrator.store.PodStore;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * What the Images API changes in the node's store: imports of an uploaded archive, pulls, and
 * removals, each turned into one Status line when it fails. An upload is streamed to a file of
 * its own under the store ({@code images/uploads/}), because every importer reads a file (a
 * docker-archive names its manifest last), and that file is removed on every path; a failed
 * import also collects the blobs it had already stored, so nothing half-imported stays.
 */
@Component
@org.springframework.context.annotation.Lazy(false) // made at start, so that it removes what a killed daemon left in uploads/
public class ImageWrites {
    private static final Logger log = LoggerFactory.getLogger(ImageWrites.class);

    /** The default upload limit: larger than any image a sandbox node should hold. */
    static final long DEFAULT_MAX_UPLOAD = 16L << 30;

    private final ImageStore store;
    private final PodStore pods;
    private final long maxUpload;
    /** The node's pulls: a second request for an image being pulled waits for that pull. */
    private final ImagePulls pulls;

    public ImageWrites(ImageStore store, PodStore pods, ImagePulls pulls,
                       @Value("${berth.images.max-upload-bytes:" + DEFAULT_MAX_UPLOAD + "}") long maxUpload) throws IOException {
        this.store = store;
        this.pods = pods;
        this.pulls = pulls;
        this.maxUpload = maxUpload;
        removeStaleUploads();
    }

    /**
     * An upload is removed on every path while the daemon runs; one that a killed daemon was
     * receiving stays behind. Only one daemon uses a state root (its lock), so at start every file
     * here is such a left-over.
     */
    private void removeStaleUploads() throws IOException {
        Path dir = uploads();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
                log.info("removed {}, left by an import a previous daemon did not finish", p);
            }
        }
    }

    private Path uploads() {
        return store.layout().images().resolve("uploads");
    }

    /** {@code busybox} is {@code docker.io/library/busybox:latest}; a malformed reference is a 400 saying why. */
    static String canonical(String reference) {
        try {
            return ImageReference.parse(reference.strip()).toString();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(Failures.oneLine(e.getMessage()));
        }
    }

    /**
     * Imports {@code body} (of {@code length} bytes, -1 when unknown) as {@code name}.
     *
     * @param kind null: read from the archive
     */
    ImageSummary importArchive(InputStream body, long length, String name, ImageArchiveKind kind) {
        String canonical = name == null || name.isBlank() ? null : canonical(name);
        if (length > maxUpload) {
            throw ApiException.tooLarge(maxUpload);
        }
        Path dir = uploads();
        Path upload = null;
        try {
            Files.createDirectories(dir);
            upload = Files.createTempFile(dir, "upload-", ".tar");
            receive(body, upload);
            ImageArchiveKind k = kind != null ? kind : ImageArchiveKind.detect(upload);
            if (k == ImageArchiveKind.ROOTFS && canonical == null) {
                throw ApiException.badRequest("a root filesystem tarball carries no image name: give one with ?name=NAME"
                        + " (berth image import FILE --name NAME)");
            }
            return importAs(k, upload, canonical);
        } catch (IOException e) {
            throw ApiException.internal("cannot store the upload under " + dir + ": " + Failures.oneLine(e.getMessage()));
        } finally {
            if (upload != null) {
                try {
                    Files.deleteIfExists(upload);
                } catch (IOException e) {
                    log.warn("cannot remove the upload {}: {}", upload, e.getMessage());
                }
            }
        }
    }

    private void receive(InputStream body, Path upload) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(upload)) {
            int n;
            while (true) {
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    throw ApiException.badRequest("the upload broke off after " + total + " bytes: " + Failures.oneLine(e.getMessage()));
                }
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > maxUpload) {
                    throw ApiException.tooLarge(maxUpload);
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private ImageSummary importAs(ImageArchiveKind kind, Path file, String name) {
        try {
            ImageSummary s = switch (kind) {
                case ROOTFS -> store.importRootfs(file, name, Progress.NONE);
                case OCI_ARCHIVE, DOCKER_ARCHIVE -> store.importArchive(file, null, name, Progress.NONE);
            };
            log.info("imported image {} ({}, {}) from an upload", s.name(), kind.word, s.digest());
            return s;
        } catch (IOException | RuntimeException e) {
            collect();
            String message = Failures.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    .replace(file.toString(), "the upload");
            throw ApiException.badRequest("cannot import the " + kind.word + (name == null ? "" : " as " + name) + ": " + message
                    + (message.contains("give ") ? "" : "; " + ImageArchiveKind.ACCEPTED));
        }
    }

    /**
     * Pulls {@code reference} from its registry (plain HTTP only on loopback) and names it its
     * canonical form; {@code progress} hears each blob's bytes as they arrive.
     */
    ImageSummary pull(String reference, Progress progress) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(reference.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(Failures.oneLine(e.getMessage()));
        }
        try {
            ImageSummary s = pulls.pull(ref, progress);
            log.info("pulled image {} ({})", s.name(), s.digest());
            return s;
        } catch (IOException | RuntimeException e) {
            collect();
            throw ApiException.internal("cannot pull " + ref + ": " + Failures.oneLine(e.getMessage()));
        }
    }

    /**
     * Removes {@code references} of image {@code objectName}; refused, touching nothing, while
     * a container uses it, with the pods named.
     */
    void remove(String objectName, List<String> references) {
        try {
            Digest digest = store.resolve(references.get(0)).orElseThrow(() -> ApiException.notFound("images.berth.io", objectName));
            List<String> users = store.users(digest);
            if (!users.isEmpty()) {
                throw inUse(objectName, references.get(0), users);
            }
            for (String ref : references) {
                store.remove(ref, false);
            }
            log.info("removed image {} ({})", objectName, String.join(", ", references));
        } catch (ImageInUseException e) {
            throw ApiException.conflict("images.berth.io", objectName, Failures.oneLine(e.getMessage()));
        } catch (NoSuchImageException e) {
            throw ApiException.notFound("images.berth.io", objectName);
        } catch (IOException e) {
            throw ApiException.internal("cannot remove image " + objectName + ": " + Failures.oneLine(e.getMessage()));
        }
    }

    private ApiException inUse(String objectName, String reference, List<String> containers) {
        Set<String> users = new LinkedHashSet<>();
        List<String> commands = new ArrayList<>();
        for (String id : containers) {
            // Container ids are <pod uid>_<container>_<attempt> (see PodWorker).
            int cut = id.indexOf('_');
            Pod pod = cut > 0 ? pods.byUid(id.substring(0, cut)).orElse(null) : null;
            if (pod == null) {
                users.add("container " + id);
            } else if (users.add("pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName())) {
                commands.add(pod.getMetadata().getName());
            }
        }
        return ApiException.conflict("images.berth.io", objectName, "image " + reference + " is used by " + String.join(", ", users)
                + ": delete " + (commands.isEmpty() ? "those containers" : "the pod" + (commands.size() > 1 ? "s" : "")
                + " first (berth delete pod " + String.join(" ", commands) + ")"));
    }

    /** After a failed import or pull: blobs it stored that no image names go now, not at the next gc. */
    private void collect() {
        try {
            store.gc();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot collect what a failed import left: {}", e.getMessage());
        }
    }

    /** One line, for a Status message. */
    static final class Failures {
        private Failures() {
        }

        static String oneLine(String s) {
            return s == null ? "" : s.replaceAll("\\s*\\R\\s*", "; ").trim();
        }
    }
}
