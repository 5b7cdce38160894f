package io.berth.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageIndex;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;

/**
 * Pulls from registries that speak the OCI Distribution API (Docker Hub, docker-registry, ghcr,
 * harbor, ...). Everything it returns has been checked against its digest; nothing unverified ever
 * reaches the caller. Thread-safe: one client is meant to serve concurrent blob fetches.
 */
public final class RegistryClient {
    /** Manifests are small JSON documents; a bigger answer is a broken or hostile registry. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    static final int MAX_CONFIG_BYTES = 16 * 1024 * 1024;
    private static final String ACCEPT = String.join(", ",
            MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST);
    private static final String DOCKER_SCHEMA1_PREFIX = "application/vnd.docker.distribution.manifest.v1";
    private static final int COPY_BUFFER = 256 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryTransport transport;

    public RegistryClient(RegistryConfig config) {
        this.transport = new RegistryTransport(config);
    }

    /** The API base URL this client uses for {@code ref}'s registry, e.g. {@code http://127.0.0.1:5000/v2/}. */
    public URI endpoint(ImageReference ref) {
        URI base = transport.base(ref);
        transport.checkTransport(base, ref);
        return base;
    }

    /**
     * Fetches the manifest for {@code platform} (following an index or manifest list) and its
     * config, verifying both.
     *
     * @throws RegistryException when the image does not exist, has no such platform, fails
     *         verification, or the registry cannot be reached or refuses access
     */
    public ResolvedImage resolve(ImageReference ref, Platform platform) {
        Fetched top = fetchManifest(ref, ref.manifestReference(), ref.digest(), -1);
        Fetched chosen = top;
        if (MediaTypes.isIndex(top.mediaType)) {
            ImageIndex index = ManifestJsonRead.read(top.bytes, ImageIndex.class, "image index of " + ref);
            ManifestDescriptor pick = choose(ref, index, platform);
            Descriptor d;
            try {
                d = pick.toDescriptor();
            } catch (IllegalArgumentException e) {
                throw new RegistryException("the index of " + ref + " is invalid: " + e.getMessage());
            }
            chosen = fetchManifest(ref, d.digest().toString(), d.digest(), d.size());
            if (MediaTypes.isIndex(chosen.mediaType)) {
                throw new RegistryException("the index of " + ref + " points to another index for " + platform
                        + ": nested indexes are not supported");
            }
        }
        ImageManifest manifest = ManifestJsonRead.read(chosen.bytes, ImageManifest.class, "manifest of " + ref);
        if (manifest.config() == null) {
            throw new RegistryException("the manifest of " + ref + " has no config: it is not an image manifest");
        }
        Descriptor configDescriptor;
        try {
            configDescriptor = manifest.config().toDescriptor();
            for (ManifestDescriptor layer : manifest.layers()) {
                layer.toDescriptor();
            }
        } catch (IllegalArgumentException e) {
            throw new RegistryException("the manifest of " + ref + " is invalid: " + e.getMessage());
        }
        if (configDescriptor.size() > MAX_CONFIG_BYTES) {
            throw new RegistryException("the config of " + ref + " claims " + configDescriptor.size() + " bytes, over the "
                    + MAX_CONFIG_BYTES + "-byte limit: the image is broken");
        }
        byte[] configBytes = fetchSmallBlob(ref, configDescriptor);
        ImageConfig config = ManifestJsonRead.read(configBytes, ImageConfig.class, "config of " + ref);
        if (config.os() != null && config.architecture() != null
                && !platform.matches(new Platform(config.os(), config.architecture(), config.variant()))) {
            Platform actual = new Platform(config.os(), config.architecture(), config.variant());
            throw new RegistryException("image " + ref + " is " + actual + ", not " + platform
                    + ": pull it for platform " + actual + " or use an image built for " + platform);
        }
        return new ResolvedImage(ref, chosen.digest, chosen.mediaType, chosen.bytes, manifest, configBytes, config);
    }

    private record Fetched(byte[] bytes, Digest digest, String mediaType) {
    }

    private ManifestDescriptor choose(ImageReference ref, ImageIndex index, Platform platform) {
        List<String> available = new ArrayList<>();
        for (ManifestDescriptor m : index.manifests()) {
            if (m.platform() != null && platform.matches(m.platform())) {
                return m;
            }
            // Attestation manifests (unknown/unknown) are not images anyone can choose.
            if (m.platform() != null && !"unknown".equals(m.platform().os())) {
                available.add(m.platform().toString());
            }
        }
        throw new RegistryException("no " + platform + " image in the index of " + ref + ": available: "
                + (available.isEmpty() ? "none" : String.join(", ", available)));
    }

    private Fetched fetchManifest(ImageReference ref, String reference, Digest expected, long expectedSize) {
        URI uri = transport.base(ref).resolve(ref.repository() + "/manifests/" + reference);
        HttpResponse<InputStream> response = transport.get(ref, uri, Map.of("Accept", ACCEPT));
        int status = response.statusCode();
        if (status == 404) {
            RegistryTransport.discard(response);
            throw new RegistryException("manifest unknown: " + ref.name() + (reference.startsWith("sha256:") ? "@" : ":")
                    + reference + " does not exist");
        }
        if (status == 403) {
            RegistryTransport.discard(response);
            throw transport.unauthorized(ref, 403);
        }
        if (status != 200) {
            String detail = RegistryTransport.errorSummary(response);
            throw new RegistryException("registry " + ref.registry() + " answered " + status + " for the manifest of " + ref
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + ": try again later or check the registry");
        }
        byte[] bytes;
        try {
            bytes = readBounded(response, MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new RegistryException("reading the manifest of " + ref + " from " + ref.registry() + " failed ("
                    + RegistryTransport.describe(e) + "): try again", e);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException("the manifest of " + ref + " is over " + MAX_MANIFEST_BYTES + " bytes: the registry is broken or hostile");
        }
        Digest actual = Digest.of(bytes);
        if (expected != null && !actual.equals(expected)) {
            throw new RegistryException("the manifest of " + ref + " has digest " + actual + ", not the " + expected
                    + " asked for: the registry served other content; refusing it");
        }
        if (expectedSize >= 0 && bytes.length != expectedSize) {
            throw new RegistryException("the manifest " + actual + " of " + ref + " is " + bytes.length + " bytes, not the "
                    + expectedSize + " its index says: the image is broken");
        }
        String header = response.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null && header.startsWith("sha256:") && !header.equals(actual.toString())) {
            throw new RegistryException("the manifest of " + ref + " has digest " + actual + " but the registry says " + header
                    + ": the content was altered in transit; refusing it");
        }
        return new Fetched(bytes, actual, mediaType(ref, bytes, response));
    }

    /**
     * The media type inside the document wins (it is covered by the digest); the Content-Type header
     * is the fallback for OCI manifests that leave the field out.
     */
    private static String mediaType(ImageReference ref, byte[] bytes, HttpResponse<?> response) {
        String contentType = response.headers().firstValue("Content-Type").orElse("")
                .split(";")[0].strip().toLowerCase(Locale.ROOT);
        MediaTypeProbe probe = ManifestJsonRead.read(bytes, MediaTypeProbe.class, "manifest of " + ref);
        String declared = probe.mediaType() != null ? probe.mediaType() : contentType;
        if (declared.startsWith(DOCKER_SCHEMA1_PREFIX) || probe.schemaVersion() == 1) {
            throw new RegistryException(ref + " has a Docker schema 1 manifest, which Berth does not pull: push it again with a current docker or skopeo");
        }
        if (MediaTypes.isIndex(declared) || MediaTypes.isManifest(declared)) {
            return declared;
        }
        if (probe.manifests() != null) {
            return MediaTypes.OCI_INDEX;
        }
        if (probe.config() != null) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new RegistryException(ref + " is a '" + declared + "', not an image manifest or index: it is not a container image");
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record MediaTypeProbe(
            @com.fasterxml.jackson.annotation.JsonProperty("schemaVersion") int schemaVersion,
            @com.fasterxml.jackson.annotation.JsonProperty("mediaType") String mediaType,
            @com.fasterxml.jackson.annotation.JsonProperty("manifests") Object manifests,
            @com.fasterxml.jackson.annotation.JsonProperty("config") Object config) {
    }

    /** Reads a small blob (a config) into memory, verified. */
    private byte[] fetchSmallBlob(ImageReference ref, Descriptor blob) {
        HttpResponse<InputStream> response = openBlob(ref, blob, 0);
        if (response.statusCode() != 200) {
            RegistryTransport.discard(response);
            throw new RegistryException("registry " + ref.registry() + " answered " + response.statusCode() + " for blob " + blob.digest()
                    + " of " + ref + ": try again later or check the registry");
        }
        byte[] bytes;
        try {
            bytes = readBounded(response, (int) blob.size() + 1);
        } catch (IOException e) {
            throw new RegistryException("reading blob " + blob.digest() + " of " + ref + " failed (" + RegistryTransport.describe(e) + "): try again", e);
        }
        if (bytes.length != blob.size()) {
            throw sizeMismatch(ref, blob, bytes.length > blob.size() ? "more than" : bytes.length + " bytes instead of");
        }
        Digest actual = Digest.of(bytes);
        if (!actual.equals(blob.digest())) {
            throw digestMismatch(ref, blob, actual, "");
        }
        return bytes;
    }

    /**
     * Downloads {@code blob} into {@code partialFile}, continuing from the bytes it already holds
     * (HTTP Range), and retrying a broken transfer from where it stopped. On return the file holds
     * exactly the blob, verified against digest and size. A digest or size mismatch deletes the file;
     * a transfer that keeps failing leaves it for the next attempt to resume.
     *
     * @throws RegistryException on mismatch, on HTTP errors, or when retries are used up
     */
    public void fetchBlob(ImageReference ref, Descriptor blob, Path partialFile, Progress progress) {
        try {
            Path parent = partialFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            long have = Files.exists(partialFile) ? Files.size(partialFile) : 0;
            MessageDigest sha = Digest.newSha256();
            if (have > blob.size()) {
                Files.delete(partialFile);
                have = 0;
            } else if (have > 0) {
                hashFile(partialFile, sha);
                if (have == blob.size()) {
                    if (Digest.of(sha).equals(blob.digest())) {
                        progress.update(blob.digest(), have, blob.size());
                        return;
                    }
                    // A complete but wrong leftover: start clean rather than fail the pull.
                    Files.delete(partialFile);
                    have = 0;
                    sha = Digest.newSha256();
                }
            }
            int failures = 0;
            while (true) {
                try {
                    have = transfer(ref, blob, partialFile, have, sha, progress);
                    break;
                } catch (BrokenTransfer e) {
                    if (++failures > transport.config().maxRetries()) {
                        throw new RegistryException("downloading blob " + blob.digest() + " of " + ref + " failed " + failures + " times ("
                                + RegistryTransport.describe(e.getCause()) + "); " + Files.size(partialFile) + " of " + blob.size()
                                + " bytes are kept in " + partialFile + ": pull again to resume", e.getCause());
                    }
                    RegistryTransport.sleep(RegistryTransport.backoff(failures));
                    have = Files.size(partialFile);
                    sha = e.sha;
                }
            }
            Digest actual = Digest.of(sha);
            if (!actual.equals(blob.digest())) {
                Files.deleteIfExists(partialFile);
                throw digestMismatch(ref, blob, actual, " (deleted the download)");
            }
        } catch (IOException e) {
            throw new RegistryException("cannot write blob " + blob.digest() + " to " + partialFile + ": " + RegistryTransport.describe(e), e);
        }
    }

    /** A transfer that broke mid-stream; carries the hash state of the bytes that did arrive. */
    private static final class BrokenTransfer extends Exception {
        private static final long serialVersionUID = 1L;
        final transient MessageDigest sha;

        BrokenTransfer(IOException cause, MessageDigest sha) {
            super(cause);
            this.sha = sha;
        }
    }

    /** One GET of the blob from {@code have} on; returns the size written (always blob.size()). */
    private long transfer(ImageReference ref, Descriptor blob, Path file, long have, MessageDigest sha, Progress progress)
            throws IOException, BrokenTransfer {
        HttpResponse<InputStream> response = openBlob(ref, blob, have);
        int status = response.statusCode();
        long start;
        if (status == 206) {
            Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                RegistryTransport.discard(response);
                throw new RegistryException("registry " + ref.registry() + " answered a range request for blob " + blob.digest()
                        + " with the wrong range '" + response.headers().firstValue("Content-Range").orElse("") + "': the registry is broken");
            }
            start = have;
        } else if (status == 200) {
            // The server ignored Range (or there was none): begin again.
            start = 0;
            if (have > 0) {
                sha.reset();
            }
        } else if (status == 416) {
            // Our partial file does not fit what the server has; throw it away and start over.
            RegistryTransport.discard(response);
            Files.deleteIfExists(file);
            sha.reset();
            return transfer(ref, blob, file, 0, sha, progress);
        } else {
            if (status == 404) {
                RegistryTransport.discard(response);
                throw new RegistryException("blob " + blob.digest() + " of " + ref + " is unknown to registry " + ref.registry()
                        + ": the image is incomplete there; push it again");
            }
            if (status == 401 || status == 403) {
                RegistryTransport.discard(response);
                throw transport.unauthorized(ref, status);
            }
            String detail = RegistryTransport.errorSummary(response);
            throw new RegistryException("registry " + ref.registry() + " answered " + status + " for blob " + blob.digest() + " of " + ref
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + ": try again later or check the registry");
        }
        long done = start;
        boolean oversized = false;
        try (InputStream in = response.body();
             StallGuard guard = new StallGuard(in, transport.config().timeout());
             FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            progress.update(blob.digest(), done, blob.size());
            byte[] buf = new byte[COPY_BUFFER];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw new BrokenTransfer(guard.stalled()
                            ? new IOException("no data for " + transport.config().timeout().toMillis() + " ms", e) : e, sha);
                }
                if (n < 0) {
                    break;
                }
                guard.progress();
                if (done + n > blob.size()) {
                    oversized = true;
                    break;
                }
                sha.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                done += n;
                progress.update(blob.digest(), done, blob.size());
            }
        }
        if (oversized) {
            Files.deleteIfExists(file);
            throw sizeMismatch(ref, blob, "more than");
        }
        if (done < blob.size()) {
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (announced >= 0 && start + announced == done) {
                // The server meant to send this little: the blob is not what the manifest says.
                Files.deleteIfExists(file);
                throw sizeMismatch(ref, blob, done + " bytes instead of");
            }
            throw new BrokenTransfer(new IOException("connection closed after " + done + " of " + blob.size() + " bytes"), sha);
        }
        return done;
    }

    /** Reads at most {@code max} bytes of a small document; the stall guard bounds the whole read, not just the gaps. */
    private byte[] readBounded(HttpResponse<InputStream> response, int max) throws IOException {
        InputStream in = response.body();
        StallGuard guard = new StallGuard(in, transport.config().timeout());
        try (in) {
            return in.readNBytes(max);
        } finally {
            guard.close();
        }
    }

    private HttpResponse<InputStream> openBlob(ImageReference ref, Descriptor blob, long from) {
        URI uri = transport.base(ref).resolve(ref.repository() + "/blobs/" + blob.digest());
        Map<String, String> headers = from > 0 ? Map.of("Range", "bytes=" + from + "-") : Map.of();
        return transport.get(ref, uri, headers);
    }

    private static void hashFile(Path file, MessageDigest sha) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
    }

    private static RegistryException digestMismatch(ImageReference ref, Descriptor blob, Digest actual, String what) {
        return new RegistryException("blob " + blob.digest() + " of " + ref + " arrived with digest " + actual + what
                + ": the registry served corrupt data; pull again, and if it persists the registry's copy is damaged");
    }

    private static RegistryException sizeMismatch(ImageReference ref, Descriptor blob, String how) {
        return new RegistryException("blob " + blob.digest() + " of " + ref + " has " + how + " the " + blob.size()
                + " bytes its descriptor says: the registry served other data; pull again, and if it persists the image is broken");
    }

    /** ManifestJson's errors as RegistryExceptions, so callers see one exception type for a bad pull. */
    private static final class ManifestJsonRead {
        static <T> T read(byte[] json, Class<T> type, String what) {
            try {
                return ManifestJson.read(json, type, what);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(e.getMessage() + ": the registry served something that is not an image document");
            } catch (UncheckedIOException e) {
                throw new RegistryException("malformed " + what + ": the registry served something that is not an image document");
            }
        }
    }
}
