package io.berth.image.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.layer.Compression;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.store.ContentStore;

/**
 * Turns a plain root filesystem tarball (like Alpine's minirootfs, any compression) into a
 * one-layer image: the tarball is stored as the layer blob as-is, and we write the config (with its
 * diff_id, the sha256 of the uncompressed tar) and the manifest. A URL is downloaded first, over
 * java.net.http, and checked against an expected sha256 when one is given.
 */
public final class RootfsImporter {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private RootfsImporter() {
    }

    public static ImportedImage importTarball(Path tarball, ContentStore store, long maxBytes, Progress progress) throws IOException {
        if (!Files.isRegularFile(tarball)) {
            throw new NoSuchFileException(tarball.toString(), null, "root filesystem tarball does not exist");
        }
        Descriptor blob;
        try (InputStream in = Files.newInputStream(tarball)) {
            blob = store.put(in, null, null, Progress.NONE);
        }
        return fromStoredBlob(blob, store, maxBytes, "rootfs tarball " + tarball);
    }

    public static ImportedImage importUrl(URI url, Digest expectedSha256, ContentStore store, long maxBytes, Progress progress) throws IOException {
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new IOException("cannot fetch '" + url + "': only http:// and https:// URLs are supported");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        } catch (IOException e) {
            throw new IOException("cannot fetch " + url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        try (InputStream body = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new IOException("cannot fetch " + url + ": the server answered HTTP " + resp.statusCode());
            }
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            InputStream counted = new LimitedInputStream(new ProgressStream(body, expectedSha256, length, progress), maxBytes, "download of " + url);
            Descriptor blob;
            if (expectedSha256 != null && length >= 0) {
                blob = store.put(counted, null, new Descriptor(null, expectedSha256, length), Progress.NONE);
            } else {
                blob = store.put(counted, null, null, Progress.NONE);
                if (expectedSha256 != null && !blob.digest().equals(expectedSha256)) {
                    // Stored under its real digest; nothing names it, so gc removes it.
                    throw new IOException(url + " has sha256 " + blob.digest().hex() + ", not the expected " + expectedSha256.hex()
                            + ": the download is corrupt or the file changed; check the URL and checksum");
                }
            }
            return fromStoredBlob(blob, store, maxBytes, "rootfs tarball " + url);
        }
    }

    private static ImportedImage fromStoredBlob(Descriptor blob, ContentStore store, long maxBytes, String source) throws IOException {
        Digest diffId;
        String mediaType;
        try (InputStream raw = new java.io.BufferedInputStream(store.open(blob.digest()), 1 << 16)) {
            Compression c = Compression.detect(raw);
            mediaType = switch (c) {
                case GZIP -> MediaTypes.OCI_LAYER_GZIP;
                case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
                case XZ -> MediaTypes.OCI_LAYER + "+xz";
                case NONE -> MediaTypes.OCI_LAYER;
            };
            var sha = Digest.newSha256();
            try (InputStream plain = TarCheck.requireTar(new LimitedInputStream(Compression.decompress(raw), maxBytes, source),
                    source, "give a tar of a root filesystem (tar -C ROOTFS -c .), " + TarCheck.COMPRESSIONS)) {
                plain.transferTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        sha.update((byte) b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        sha.update(b, off, len);
                    }
                });
            } catch (TarCheck.NotATarException e) {
                throw e;
            } catch (IOException e) {
                throw new IOException(source + " cannot be decompressed: " + e.getMessage(), e);
            }
            diffId = Digest.of(sha);
        }
        ImageConfig config = new ImageConfig(hostArchitecture(), "linux", null,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                new ImageConfig.RunConfig(null, List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                        null, List.of("/bin/sh"), null, null, null),
                new ImageConfig.RootFs("layers", List.of(diffId.toString())));
        Descriptor configDesc = store.put(ManifestJson.write(config), MediaTypes.OCI_CONFIG);
        Descriptor layer = new Descriptor(mediaType, blob.digest(), blob.size());
        Descriptor manifest = Blobs.writeManifest(store, configDesc, List.of(layer));
        return Blobs.loadImage(store, manifest, List.of(), source);
    }

    /** The OCI name of the JVM's architecture: a rootfs tarball carries no platform, so it is assumed to be the host's. */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "arm" -> "arm";
            default -> arch;
        };
    }

    /** Reports download progress against the digest the caller expects (or none). */
    private static final class ProgressStream extends java.io.FilterInputStream {
        private final Digest digest;
        private final long total;
        private final Progress progress;
        private long done;

        ProgressStream(InputStream in, Digest digest, long total, Progress progress) {
            super(in);
            this.digest = digest;
            this.total = total;
            this.progress = progress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            // Without an expected digest there is nothing to name the bytes by yet: only the unpack reports.
            if (n > 0 && digest != null) {
                done += n;
                progress.update(digest, done, total);
            }
            return n;
        }
    }
}
