package io.berth.runtime.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.json.JsonValue;
import io.berth.testkit.BusyboxRootfs;

/** The image archive is a valid OCI layout whose digests chain up, built the same way every time. */
class BusyboxImageTest {

    @TempDir
    Path tmp;

    @Test
    void archiveIsAnOciLayoutWhoseDigestsMatchTheirContent() throws IOException {
        Path archive = tmp.resolve("image.tar");
        BusyboxImage.writeArchive(BusyboxRootfs.path(), "amd64", archive);
        Map<String, byte[]> files = untar(archive);

        assertThat(JsonValue.parse(files.get("oci-layout")).get("imageLayoutVersion").asString()).isEqualTo("1.0.0");
        JsonValue manifestDescriptor = JsonValue.parse(files.get("index.json")).get("manifests").elements().get(0);
        assertThat(manifestDescriptor.get("platform").get("architecture").asString()).isEqualTo("amd64");
        byte[] manifestBytes = blob(files, manifestDescriptor);
        JsonValue manifest = JsonValue.parse(manifestBytes);
        assertThat(manifest.get("mediaType").asString()).isEqualTo(BusyboxImage.MANIFEST_TYPE);

        JsonValue config = JsonValue.parse(blob(files, manifest.get("config")));
        JsonValue layerDescriptor = manifest.get("layers").elements().get(0);
        assertThat(layerDescriptor.get("mediaType").asString()).isEqualTo(BusyboxImage.LAYER_TYPE);
        blob(files, layerDescriptor);
        // Uncompressed layer: its diff_id is its digest.
        assertThat(config.get("rootfs").get("diff_ids").elements().get(0).asString()).isEqualTo(layerDescriptor.get("digest").asString());
        assertThat(config.get("os").asString()).isEqualTo("linux");
    }

    @Test
    void layerKeepsModesAndRelativeSymlinksAndIsOwnedByRoot() throws IOException {
        Path layer = tmp.resolve("layer.tar");
        BusyboxImage.writeLayer(BusyboxRootfs.path(), layer);

        Map<String, TarArchiveEntry> entries = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(layer))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), e);
            }
        }
        TarArchiveEntry busybox = entries.get("bin/busybox");
        assertThat(busybox.isFile()).isTrue();
        assertThat(busybox.getMode() & 07777).isEqualTo(0755);
        assertThat(busybox.getSize()).isEqualTo(Files.size(BusyboxRootfs.path().resolve("bin/busybox")));
        assertThat(entries.get("bin/sh").isSymbolicLink()).isTrue();
        assertThat(entries.get("bin/sh").getLinkName()).isEqualTo("busybox");
        assertThat(entries.get("tmp/").isDirectory()).isTrue();
        assertThat(entries.get("tmp/").getMode() & 0777).isEqualTo(0777);
        assertThat(entries.values()).allSatisfy(e -> {
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getLongGroupId()).isZero();
        });
    }

    @Test
    void sameRootfsGivesTheSameLayerDigest() throws IOException {
        String first = BusyboxImage.writeLayer(BusyboxRootfs.path(), tmp.resolve("a.tar"));
        String second = BusyboxImage.writeLayer(BusyboxRootfs.path(), tmp.resolve("b.tar"));
        assertThat(first).isEqualTo(second).startsWith("sha256:").hasSize(71);
    }

    private static byte[] blob(Map<String, byte[]> files, JsonValue descriptor) {
        String digest = descriptor.get("digest").asString();
        byte[] content = files.get("blobs/sha256/" + digest.substring("sha256:".length()));
        assertThat(content).as("blob " + digest).isNotNull();
        assertThat(BusyboxImage.digest(content)).isEqualTo(digest);
        assertThat((long) content.length).isEqualTo(descriptor.get("size").asInt64());
        return content;
    }

    private static Map<String, byte[]> untar(Path archive) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream raw = Files.newInputStream(archive); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }
}
