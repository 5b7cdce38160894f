package io.berth.image.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageIndex;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * Builds OCI image layouts for tests (no network, no docker) and pushes them into a registry with
 * {@code skopeo copy}. The busybox image is one gzip layer of the testkit's busybox rootfs; layers
 * are written deterministically (sorted entries, zero mtimes), so the same input gives the same digests.
 */
public final class TestImages {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    /** A built layout: its directory, the tag inside it, and the top digest (manifest or index) with the manifests under it. */
    public record Layout(Path dir, String tag, Digest top, String topMediaType, List<Built> manifests) {
    }

    /** One image manifest in a layout. */
    public record Built(Platform platform, Digest manifest, Digest config, List<Digest> layers, long totalLayerBytes) {
    }

    private TestImages() {
    }

    /** The busybox rootfs as one image per platform; several platforms make an image index. */
    public static Layout busybox(Path dir, String tag, Platform... platforms) {
        try {
            Blob layer = writeBlob(dir, busyboxLayer());
            return layout(dir, tag, List.of(new LayerInfo(layer, MediaTypes.OCI_LAYER_GZIP, layer.diffId)), platforms.length == 0
                    ? new Platform[] {Platform.DEFAULT} : platforms);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox test image in " + dir, e);
        }
    }

    /**
     * An image of {@code layers} uncompressed tar layers, each holding one file of {@code bytesPerLayer}
     * random (incompressible) bytes: for transfer benchmarks.
     */
    public static Layout random(Path dir, String tag, int layers, int bytesPerLayer, long seed) {
        try {
            Random random = new Random(seed);
            List<LayerInfo> infos = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                byte[] data = new byte[bytesPerLayer];
                random.nextBytes(data);
                ByteArrayOutputStream tar = new ByteArrayOutputStream(bytesPerLayer + 4096);
                try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
                    TarArchiveEntry e = new TarArchiveEntry("data-" + i + ".bin");
                    e.setSize(data.length);
                    e.setMode(0644);
                    e.setModTime(0);
                    out.putArchiveEntry(e);
                    out.write(data);
                    out.closeArchiveEntry();
                }
                Blob b = writeBlob(dir, tar.toByteArray());
                infos.add(new LayerInfo(b, MediaTypes.OCI_LAYER, b.digest));
            }
            return layout(dir, tag, infos, new Platform[] {Platform.DEFAULT});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the random test image in " + dir, e);
        }
    }

    /**
     * {@code skopeo copy oci:LAYOUT:TAG docker://REGISTRY/DEST}; {@code extraArgs} go before the
     * source (e.g. {@code --format v2s2}, {@code --dest-creds u:p}). An index is copied whole.
     */
    public static void push(Layout layout, String registryHostPort, String dest, String... extraArgs) {
        Path skopeo = Requirements.command("skopeo", "skopeo");
        List<String> cmd = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy", "copy", "--quiet",
                "--dest-tls-verify=false"));
        if (MediaTypes.isIndex(layout.topMediaType())) {
            cmd.add("--all");
        }
        cmd.addAll(List.of(extraArgs));
        cmd.add("oci:" + layout.dir() + ":" + layout.tag());
        cmd.add("docker://" + registryHostPort + "/" + dest);
        run(cmd);
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record Blob(Digest digest, long size, Digest diffId) {
    }

    private record LayerInfo(Blob blob, String mediaType, Digest diffId) {
    }

    private static Layout layout(Path dir, String tag, List<LayerInfo> layers, Platform[] platforms) throws IOException {
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<Built> built = new ArrayList<>();
        List<ManifestDescriptor> descriptors = new ArrayList<>();
        long total = layers.stream().mapToLong(l -> l.blob.size).sum();
        for (Platform platform : platforms) {
            ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), platform.variant(), "1970-01-01T00:00:00Z",
                    new ImageConfig.RunConfig(null, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), null, List.of("sh"), "/", null, null),
                    new ImageConfig.RootFs("layers", layers.stream().map(l -> l.diffId.toString()).toList()));
            Blob configBlob = writeBlob(dir, ManifestJson.write(config));
            ImageManifest manifest = new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                    new ManifestDescriptor(MediaTypes.OCI_CONFIG, configBlob.digest.toString(), configBlob.size, null, null),
                    layers.stream().map(l -> new ManifestDescriptor(l.mediaType, l.blob.digest.toString(), l.blob.size, null, null)).toList());
            Blob manifestBlob = writeBlob(dir, ManifestJson.write(manifest));
            built.add(new Built(platform, manifestBlob.digest, configBlob.digest, layers.stream().map(l -> l.blob.digest).toList(), total));
            descriptors.add(new ManifestDescriptor(MediaTypes.OCI_MANIFEST, manifestBlob.digest.toString(), manifestBlob.size, platform, null));
        }
        ManifestDescriptor top;
        if (platforms.length == 1) {
            ManifestDescriptor only = descriptors.get(0);
            top = new ManifestDescriptor(only.mediaType(), only.digest(), only.size(), null, Map.of(REF_NAME, tag));
        } else {
            Blob indexBlob = writeBlob(dir, ManifestJson.write(new ImageIndex(2, MediaTypes.OCI_INDEX, descriptors)));
            top = new ManifestDescriptor(MediaTypes.OCI_INDEX, indexBlob.digest.toString(), indexBlob.size, null, Map.of(REF_NAME, tag));
        }
        Files.write(dir.resolve("index.json"), ManifestJson.write(new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(top))));
        return new Layout(dir, tag, Digest.parse(top.digest()), top.mediaType(), built);
    }

    private static Blob writeBlob(Path dir, byte[] content) throws IOException {
        return writeBlob(dir, content, null);
    }

    private static Blob writeBlob(Path dir, LayerBytes layer) throws IOException {
        return writeBlob(dir, layer.compressed, layer.diffId);
    }

    private static Blob writeBlob(Path dir, byte[] content, Digest diffId) throws IOException {
        Digest d = Digest.of(content);
        Path blobs = dir.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        Path target = blobs.resolve(d.hex());
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(blobs, ".tmp-", "");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Blob(d, content.length, diffId);
    }

    private record LayerBytes(byte[] compressed, Digest diffId) {
    }

    /** tar.gz of the busybox rootfs, with the uncompressed tar's digest (the diff_id) computed on the way. */
    private static LayerBytes busyboxLayer() throws IOException {
        Path root = BusyboxRootfs.path();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        MessageDigest tarSha = Digest.newSha256();
        GzipParameters params = new GzipParameters();
        params.setModificationTime(0);
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(gz, params);
             OutputStream hashing = new OutputStream() {
                 @Override
                 public void write(int b) throws IOException {
                     tarSha.update((byte) b);
                     gzip.write(b);
                 }

                 @Override
                 public void write(byte[] b, int off, int len) throws IOException {
                     tarSha.update(b, off, len);
                     gzip.write(b, off, len);
                 }
             };
             TarArchiveOutputStream tar = new TarArchiveOutputStream(hashing);
             Stream<Path> walk = Files.walk(root)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String name = root.relativize(p).toString();
                TarArchiveEntry e;
                boolean regular = false;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                    e.setMode(0777);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                    e.setMode(mode(p));
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                    e.setMode(mode(p));
                    regular = true;
                }
                e.setModTime(0);
                e.setUserId(0);
                e.setGroupId(0);
                tar.putArchiveEntry(e);
                if (regular) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return new LayerBytes(gz.toByteArray(), Digest.of(tarSha));
    }

    private static int mode(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= switch (perm) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }
}
