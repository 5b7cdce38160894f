package io.berth.runtime.containerd;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import io.berth.testkit.BusyboxRootfs;

/**
 * The busybox fixture as a one-layer OCI image, imported into a {@link LocalContainerd} so that
 * {@code ctr run} can use it without a registry or the internet. The archive is an OCI image
 * layout (oci-layout, index.json, blobs/sha256/...) in a single tar, which is what
 * {@code ctr images import} reads.
 */
public final class BusyboxImage {
    public static final String NAME = "docker.io/berth/busybox:test";

    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    /** A fixed mtime keeps the layer digest the same on every build of the same rootfs. */
    private static final long EPOCH_MILLIS = 0L;


    private BusyboxImage() {
    }

    /** Builds the archive in {@code workDir}, imports it as {@link #NAME} and returns that name. */
    public static String importInto(LocalContainerd containerd, Path workDir) {
        Path archive = workDir.resolve("busybox-oci.tar");
        writeArchive(BusyboxRootfs.path(), platformArchitecture(), archive);
        try {
            containerd.ctrOk("images", "import", "--snapshotter", containerd.snapshotter(),
                    "--index-name", NAME, archive.toString());
        } finally {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException e) {
                // the temporary directory's own cleanup gets it
            }
        }
        return NAME;
    }

    /** The OCI name of this JVM's architecture, which is what containerd matches images against. */
    static String platformArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    /** Writes an OCI image layout tar for {@code rootfs} to {@code archive}. */
    static void writeArchive(Path rootfs, String architecture, Path archive) {
        try {
            Path layer = Files.createTempFile(archive.getParent(), "layer-", ".tar");
            try {
                String layerDigest = writeLayer(rootfs, layer);
                long layerSize = Files.size(layer);

                Map<String, Object> config = new LinkedHashMap<>();
                config.put("architecture", architecture);
                config.put("os", "linux");
                config.put("config", Map.of(
                        "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                        "Cmd", List.of("/bin/sh")));
                config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest)));
                byte[] configJson = json(config);

                Map<String, Object> manifest = new LinkedHashMap<>();
                manifest.put("schemaVersion", 2);
                manifest.put("mediaType", MANIFEST_TYPE);
                manifest.put("config", descriptor(CONFIG_TYPE, digest(configJson), configJson.length));
                manifest.put("layers", List.of(descriptor(LAYER_TYPE, layerDigest, layerSize)));
                byte[] manifestJson = json(manifest);

                Map<String, Object> manifestDescriptor = descriptor(MANIFEST_TYPE, digest(manifestJson), manifestJson.length);
                manifestDescriptor.put("platform", Map.of("architecture", architecture, "os", "linux"));
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("schemaVersion", 2);
                index.put("manifests", List.of(manifestDescriptor));

                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    addBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                    addBytes(tar, "index.json", json(index));
                    addBytes(tar, blobPath(digest(manifestJson)), manifestJson);
                    addBytes(tar, blobPath(digest(configJson)), configJson);
                    TarArchiveEntry e = new TarArchiveEntry(blobPath(layerDigest));
                    e.setSize(layerSize);
                    e.setModTime(EPOCH_MILLIS);
                    tar.putArchiveEntry(e);
                    Files.copy(layer, tar);
                    tar.closeArchiveEntry();
                }
            } finally {
                Files.deleteIfExists(layer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the busybox image archive " + archive, e);
        }
    }

    /** Tars the rootfs (owned by root, modes and symlinks kept) and returns the tar's digest. */
    static String writeLayer(Path rootfs, Path layer) throws IOException {
        MessageDigest sha = sha256();
        try (OutputStream file = Files.newOutputStream(layer);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(file, sha));
                Stream<Path> walk = Files.walk(rootfs)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (p.equals(rootfs)) {
                    continue;
                }
                String name = rootfs.relativize(p).toString();
                TarArchiveEntry e;
                boolean regular = false;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                    e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode(p));
                } else {
                    e = new TarArchiveEntry(name);
                    regular = true;
                    e.setSize(Files.size(p));
                    e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode(p));
                }
                e.setModTime(EPOCH_MILLIS);
                e.setIds(0, 0);
                e.setNames("root", "root");
                tar.putArchiveEntry(e);
                // Not e.isFile(): commons-compress counts symlink entries as files.
                if (regular) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /** Permission bits with setuid/setgid/sticky, which PosixFilePermission cannot express. */
    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setModTime(EPOCH_MILLIS);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static String blobPath(String digest) {
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    static String digest(byte[] content) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static byte[] json(Object value) {
        return io.berth.runtime.json.JsonOut.compact(value).getBytes(StandardCharsets.UTF_8);
    }
}
