package io.berth.image.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.berth.image.content.Digest;
import io.berth.image.layer.OverlayForm;
import io.berth.image.store.ImageDetails;
import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;
import io.berth.image.testing.ImageFixtures;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/** Imports of real images written by umoci, skopeo and GNU tar, and of a rootfs served over HTTP on loopback. */
class ImportTest {
    @TempDir
    Path tmp;

    private ImageStore store() throws IOException {
        return new ImageStore(tmp.resolve("state"));
    }

    private Set<String> layerDirs() throws IOException {
        try (var s = Files.list(tmp.resolve("state/images/layers"))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static void assertBusyboxTwoLayers(ImageDetails d) throws IOException {
        assertThat(d.layers()).hasSize(2);
        Path bottom = d.layers().get(0).unpacked();
        Path top = d.layers().get(1).unpacked();
        assertThat(bottom.resolve("bin/busybox")).isRegularFile();
        assertThat(bottom.resolve("etc/hostname")).isRegularFile();
        assertThat(top.resolve("etc/motd")).hasContent("layer two");
        assertThat(OverlayForm.isWhiteout(top.resolve("etc/hostname"))).isTrue();
        assertThat(d.layers().get(0).chainId()).isEqualTo(d.layers().get(0).diffId());
        assertThat(d.config().config().cmd()).containsExactly("/bin/sh");
    }

    @Test
    void ociLayoutArchiveAndDockerArchiveOfOneImageShareTheirLayers() throws IOException {
        Path layout = ImageFixtures.busyboxLayout(tmp);
        Path ociArchive = ImageFixtures.skopeoCopy(layout, "oci-archive", tmp.resolve("oci.tar"), null);
        Path dockerArchive = ImageFixtures.skopeoCopy(layout, "docker-archive", tmp.resolve("docker.tar"), "example.com/busybox:1");
        ImageStore store = store();
        List<String> progress = new ArrayList<>();

        ImageSummary fromLayout = store.importLayout(layout, ImageFixtures.TAG, "busybox:layout", (d, done, total) -> progress.add(d + " " + done + "/" + total));
        assertBusyboxTwoLayers(store.inspect("busybox:layout"));
        Set<String> layers = layerDirs();
        assertThat(layers).hasSize(2);
        // Each layer reports its start (0 bytes) and its end (all bytes).
        for (ImageDetails.Layer l : store.inspect("busybox:layout").layers()) {
            assertThat(progress).contains(l.blob() + " 0/" + l.size(), l.blob() + " " + l.size() + "/" + l.size());
        }

        ImageSummary fromOciArchive = store.importArchive(ociArchive, null, "busybox:oci-archive", (d, a, b) -> { });
        assertBusyboxTwoLayers(store.inspect("busybox:oci-archive"));
        assertThat(fromOciArchive.digest()).isEqualTo(fromLayout.digest());

        // docker-archive: no name given, so the archive's own RepoTag is used; the manifest is ours, the diff_ids the same.
        ImageSummary fromDocker = store.importArchive(dockerArchive, null, null, (d, a, b) -> { });
        assertThat(fromDocker.name()).isEqualTo("example.com/busybox:1");
        ImageDetails docker = store.inspect("example.com/busybox:1");
        assertBusyboxTwoLayers(docker);
        assertThat(docker.layers().stream().map(ImageDetails.Layer::chainId))
                .containsExactlyElementsOf(store.inspect("busybox:layout").layers().stream().map(ImageDetails.Layer::chainId).toList());
        assertThat(layerDirs()).isEqualTo(layers); // unpacked once, shared

        assertThat(store.list()).extracting(ImageSummary::name)
                .containsExactly("docker.io/library/busybox:layout", "docker.io/library/busybox:oci-archive", "example.com/busybox:1");
        assertThat(store.list().get(0).size()).isGreaterThan(500_000);
        assertThat(store.list().get(0).created()).isNotBlank();
    }

    @Test
    void rootfsTarballBecomesAOneLayerImage() throws IOException {
        Requirements.command("tar", "tar");
        Path tgz = tmp.resolve("rootfs.tar.gz");
        ImageFixtures.run("tar", "-czf", tgz.toString(), "-C", BusyboxRootfs.path().toString(), ".");
        ImageStore store = store();
        store.importRootfs(tgz, "mini:1", (d, a, b) -> { });
        ImageDetails d = store.inspect("mini:1");
        assertThat(d.layers()).hasSize(1);
        assertThat(d.layers().get(0).blob()).isEqualTo(Digest.of(Files.readAllBytes(tgz)));
        assertThat(d.layers().get(0).mediaType()).endsWith("tar+gzip");
        Path plainTar = tmp.resolve("rootfs.tar");
        ImageFixtures.run("sh", "-c", "gzip -dc " + tgz + " > " + plainTar);
        assertThat(d.layers().get(0).diffId()).isEqualTo(Digest.of(Files.readAllBytes(plainTar)));
        assertThat(d.layers().get(0).unpacked().resolve("bin/busybox")).isRegularFile();
        assertThat(Files.isSymbolicLink(d.layers().get(0).unpacked().resolve("bin/sh"))).isTrue();
        assertThat(d.config().os()).isEqualTo("linux");
        assertThat(d.config().config().cmd()).containsExactly("/bin/sh");
    }

    @Test
    void rootfsUrlIsFetchedAndCheckedAgainstItsSha256() throws IOException {
        Requirements.command("tar", "tar");
        Path tgz = tmp.resolve("rootfs.tar.gz");
        ImageFixtures.run("tar", "-czf", tgz.toString(), "-C", BusyboxRootfs.path().toString(), ".");
        byte[] body = Files.readAllBytes(tgz);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/rootfs.tar.gz", ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked.tar.gz", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            ImageStore store = store();
            Digest sha = Digest.of(body);
            store.importRootfsUrl(URI.create(base + "/rootfs.tar.gz"), sha, "url:1", (d, a, b) -> { });
            assertThat(store.inspect("url:1").layers().get(0).blob()).isEqualTo(sha);
            store.importRootfsUrl(URI.create(base + "/chunked.tar.gz"), null, "url:2", (d, a, b) -> { });
            assertThat(store.inspect("url:2").layers().get(0).blob()).isEqualTo(sha);

            Digest wrong = Digest.of(new byte[] {1});
            assertThatThrownBy(() -> store.importRootfsUrl(URI.create(base + "/rootfs.tar.gz"), wrong, "url:bad", (d, a, b) -> { }))
                    .hasMessageContaining(wrong.toString()).hasMessageContaining("corrupt");
            assertThatThrownBy(() -> store.importRootfsUrl(URI.create(base + "/chunked.tar.gz"), wrong, "url:bad", (d, a, b) -> { }))
                    .hasMessageContaining("not the expected " + wrong.hex());
            assertThatThrownBy(() -> store.importRootfsUrl(URI.create(base + "/missing"), null, "url:bad", (d, a, b) -> { }))
                    .hasMessageContaining("HTTP 404");
            assertThatThrownBy(() -> store.importRootfsUrl(URI.create("ftp://127.0.0.1/x"), null, "url:bad", (d, a, b) -> { }))
                    .hasMessageContaining("only http:// and https://");
            assertThat(store.resolve("url:bad")).isEmpty();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFileThatIsNotATarNamesItselfAndWhatToGive() throws IOException {
        ImageStore store = store();
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not an image\n".repeat(100));
        Path gzippedText = tmp.resolve("notes.txt.gz");
        Files.write(gzippedText, io.berth.image.testing.TarBuilder.gzip(Files.readAllBytes(text)));
        Path empty = Files.createFile(tmp.resolve("empty.tar"));
        String archive = ": give an oci-archive or a docker-archive (skopeo copy ... oci-archive:FILE or docker-archive:FILE,"
                + " docker save), plain or compressed with gzip, zstd or xz; a root filesystem tarball is imported as a rootfs";
        assertThatThrownBy(() -> store.importArchive(text, null, "x:1", (d, a, b) -> { }))
                .isInstanceOf(IOException.class).hasMessage("archive " + text + " is not a tar archive" + archive);
        assertThatThrownBy(() -> store.importArchive(gzippedText, null, "x:1", (d, a, b) -> { }))
                .hasMessage("archive " + gzippedText + " is not a tar archive" + archive);
        assertThatThrownBy(() -> store.importArchive(empty, null, "x:1", (d, a, b) -> { }))
                .hasMessage("archive " + empty + " is empty" + archive);
        String rootfs = ": give a tar of a root filesystem (tar -C ROOTFS -c .), plain or compressed with gzip, zstd or xz";
        assertThatThrownBy(() -> store.importRootfs(text, "x:1", (d, a, b) -> { }))
                .hasMessage("rootfs tarball " + text + " is not a tar archive" + rootfs);
        Path shortFile = Files.writeString(tmp.resolve("short"), "hello");
        assertThatThrownBy(() -> store.importRootfs(shortFile, "x:1", (d, a, b) -> { }))
                .hasMessage("rootfs tarball " + shortFile + " is too short to be a tar archive (5 bytes)" + rootfs);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void badInputsAreClearErrorsAndNameNothing() throws IOException {
        ImageStore store = store();
        assertThatThrownBy(() -> store.importLayout(tmp.resolve("absent"), null, "x:1", (d, a, b) -> { }))
                .hasMessageContaining("does not exist");
        Path notLayout = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> store.importLayout(notLayout, null, "x:1", (d, a, b) -> { }))
                .hasMessageContaining("not an OCI image layout").hasMessageContaining("oci-layout");
        Path notArchive = tmp.resolve("plain.tar");
        Files.write(notArchive, io.berth.image.testing.TarBuilder.gzip(new io.berth.image.testing.TarBuilder().file("hello", "x").tar()));
        assertThatThrownBy(() -> store.importArchive(notArchive, null, "x:1", (d, a, b) -> { }))
                .hasMessageContaining("neither an oci-archive").hasMessageContaining("docker-archive");
        assertThatThrownBy(() -> store.importRootfs(notArchive, "bad name", (d, a, b) -> { }))
                .hasMessageContaining("invalid reference 'bad name'");
        Path garbage = tmp.resolve("garbage.tar.gz");
        Files.write(garbage, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        assertThatThrownBy(() -> store.importRootfs(garbage, "x:1", (d, a, b) -> { })).hasMessageContaining("cannot be decompressed");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void corruptBlobInALayoutIsRefused() throws IOException {
        Path layout = ImageFixtures.busyboxLayout(tmp);
        // Flip the biggest blob (the busybox layer): its digest no longer matches.
        Path biggest;
        try (var s = Files.list(layout.resolve("blobs/sha256"))) {
            biggest = s.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        byte[] data = Files.readAllBytes(biggest);
        data[data.length / 2] ^= 0x55;
        Files.write(biggest, data);
        ImageStore store = store();
        assertThatThrownBy(() -> store.importLayout(layout, ImageFixtures.TAG, "x:1", (d, a, b) -> { }))
                .hasMessageContaining(biggest.getFileName().toString()).hasMessageContaining("corrupt");
        assertThat(store.list()).isEmpty();
        assertThat(layerDirs()).isEmpty();
    }

    @Test
    void layoutWithSeveralImagesNeedsARef() throws IOException {
        Path layout = ImageFixtures.busyboxLayout(tmp);
        ImageFixtures.run("umoci", "tag", "--image", layout + ":" + ImageFixtures.TAG, "other");
        ImageStore store = store();
        assertThatThrownBy(() -> store.importLayout(layout, null, "x:1", (d, a, b) -> { }))
                .hasMessageContaining("holds 2 images").hasMessageContaining("name the one");
        assertThatThrownBy(() -> store.importLayout(layout, "nope", "x:1", (d, a, b) -> { }))
                .hasMessageContaining("no image named 'nope'");
        assertThat(store.importLayout(layout, "other", null, (d, a, b) -> { }).name()).isEqualTo("docker.io/library/other:latest");
        assertThat(Files.exists(store.inspect("other").layers().get(1).unpacked().resolve("etc/hostname"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
