package io.berth.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Digest;
import io.berth.image.content.Progress;
import io.berth.image.layer.LayerException;
import io.berth.image.layer.LayerStore;
import io.berth.image.layer.LayerUnpacker;
import io.berth.image.layer.UnpackLimits;
import io.berth.image.testing.TarBuilder;

/** Names, ls/inspect, rm refused while used, gc, and concurrent imports sharing layers. */
class ImageStoreTest {
    @TempDir
    Path tmp;
    ImageStore store;
    Path alpha;
    Path beta;

    @BeforeEach
    void setUp() throws IOException {
        store = new ImageStore(tmp.resolve("state"));
        alpha = tmp.resolve("alpha.tar.gz");
        Files.write(alpha, TarBuilder.gzip(new TarBuilder().dir("etc").file("etc/os-release", "ID=alpha\n").file("bin/sh", "#!", 0755).tar()));
        beta = tmp.resolve("beta.tar.zst");
        Files.write(beta, TarBuilder.compress(new TarBuilder().file("etc/os-release", "ID=beta\n").tar(), "zstd"));
    }

    private Set<String> dir(String rel) throws IOException {
        try (var s = Files.list(tmp.resolve("state").resolve(rel))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void lsAndInspectDescribeTheImage() throws IOException {
        ImageSummary a = store.importRootfs(alpha, "alpha:1", Progress.NONE);
        store.importRootfs(beta, "beta:1", Progress.NONE);
        assertThat(store.list()).extracting(ImageSummary::name).containsExactly("docker.io/library/alpha:1", "docker.io/library/beta:1"); // canonical, as Docker names them
        assertThat(store.list().get(0)).isEqualTo(a);
        ImageDetails d = store.inspect("alpha:1");
        assertThat(d.manifestDescriptor().digest()).isEqualTo(a.digest());
        assertThat(a.size()).isEqualTo(d.size()).isEqualTo(d.manifest().config().size() + Files.size(alpha));
        assertThat(d.layers().get(0).unpacked().resolve("etc/os-release")).hasContent("ID=alpha");
        assertThat(store.lowerDirs(d)).containsExactly(d.layers().get(0).unpacked());
        // Re-importing under the same name moves the name; the old image is garbage.
        store.importRootfs(beta, "alpha:1", Progress.NONE);
        assertThat(store.inspect("alpha:1").layers().get(0).diffId()).isEqualTo(store.inspect("beta:1").layers().get(0).diffId());
        assertThat(store.list()).extracting(ImageSummary::name).containsExactly("docker.io/library/alpha:1", "docker.io/library/beta:1"); // canonical, as Docker names them
    }

    @Test
    void rmIsRefusedWhileAContainerUsesTheImageUnlessForced() throws IOException {
        store.importRootfs(alpha, "alpha:1", Progress.NONE);
        store.importRootfs(beta, "beta:1", Progress.NONE);
        ImageDetails used = store.use("c1", "alpha:1");
        assertThat(store.users(used.manifestDescriptor().digest())).containsExactly("c1");

        assertThatThrownBy(() -> store.remove("alpha:1", false)).isInstanceOf(ImageInUseException.class)
                .hasMessageContaining("alpha:1").hasMessageContaining("c1").hasMessageContaining("force");
        assertThat(store.resolve("alpha:1")).isPresent();

        GcResult forced = store.remove("alpha:1", true);
        assertThat(store.resolve("alpha:1")).isEmpty();
        assertThat(forced.layersRemoved()).isZero(); // c1 still needs them
        assertThat(used.layers().get(0).unpacked()).isDirectory();

        store.release("c1");
        GcResult gc = store.gc();
        assertThat(gc.layersRemoved()).isEqualTo(1);
        assertThat(gc.blobsRemoved()).isEqualTo(3); // manifest, config, layer
        assertThat(gc.bytesFreed()).isGreaterThan(Files.size(alpha));
        assertThat(used.layers().get(0).unpacked()).doesNotExist();
        ImageDetails b = store.inspect("beta:1");
        assertThat(dir("images/layers")).containsExactly(b.layers().get(0).chainId().hex());
        assertThat(dir("images/blobs/sha256")).hasSize(3);
        assertThat(store.gc()).isEqualTo(new GcResult(0, 0, 0, 0));
    }

    @Test
    void unknownNamesAndBadIdsAreClearErrors() {
        assertThatThrownBy(() -> store.inspect("nope:1")).isInstanceOf(NoSuchImageException.class).hasMessageContaining("no image named 'nope:1'");
        assertThatThrownBy(() -> store.remove("nope:1", true)).isInstanceOf(NoSuchImageException.class);
        assertThatThrownBy(() -> store.use("../escape", "nope:1")).hasMessageContaining("invalid container id");
    }

    @Test
    void gcRemovesLeftoversOfCrashedUnpacks() throws IOException {
        Path crashed = Files.createDirectories(tmp.resolve("state/images/layers/.tmp-abc-123/usr"));
        Files.writeString(crashed.resolve("half"), "x");
        store.importRootfs(alpha, "alpha:1", Progress.NONE);
        assertThat(store.gc().tempRemoved()).isEqualTo(1);
        assertThat(dir("images/layers")).hasSize(1);
    }

    @Test
    void concurrentImportsOfOneLayerUnpackItOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ImageSummary>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "alpha:" + i;
                fs.add(pool.submit(() -> store.importRootfs(alpha, name, Progress.NONE)));
            }
            for (Future<ImageSummary> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list()).hasSize(8);
        assertThat(dir("images/layers")).hasSize(1).noneMatch(n -> n.startsWith("."));
        assertThat(dir("images/ingest")).isEmpty();
    }

    @Test
    void layerWhoseDiffIdDoesNotMatchTheConfigIsRefused() throws IOException {
        LayerStore layers = new LayerStore(tmp.resolve("layers"), new LayerUnpacker(UnpackLimits.DEFAULT));
        byte[] tar = new TarBuilder().file("a", "a").tar();
        Digest claimed = Digest.of(new byte[] {42});
        assertThatThrownBy(() -> layers.ensure(claimed, claimed, () -> new ByteArrayInputStream(tar)))
                .isInstanceOf(LayerException.class).hasMessageContaining("diff_id " + Digest.of(tar)).hasMessageContaining("corrupt");
        try (var s = Files.list(tmp.resolve("layers"))) {
            assertThat(s).isEmpty();
        }
        Path ok = layers.ensure(Digest.of(tar), Digest.of(tar), () -> new ByteArrayInputStream(tar));
        assertThat(ok.resolve("a")).hasContent("a");
    }

    @Test
    void registeringAnIndexIsRefused() throws IOException {
        var index = store.content().put("{\"schemaVersion\":2,\"manifests\":[]}".getBytes(), io.berth.image.content.MediaTypes.OCI_INDEX);
        assertThatThrownBy(() -> store.register("idx:1", index, Progress.NONE)).hasMessageContaining("is not an image manifest");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void importsOfBombsStopAtTheLimit() throws IOException {
        ImageStore small = new ImageStore(tmp.resolve("small"), new UnpackLimits(1 << 20, 1000), io.berth.image.manifest.Platform.DEFAULT);
        org.apache.commons.compress.archivers.tar.TarArchiveEntry e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("zeros", true);
        e.setSize(8 << 20);
        Path bomb = tmp.resolve("bomb.tar.gz");
        Files.write(bomb, TarBuilder.gzip(new TarBuilder().entry(e, new byte[8 << 20]).tar()));
        assertThatThrownBy(() -> small.importRootfs(bomb, "bomb:1", Progress.NONE)).hasMessageContaining("import limit");
        assertThatThrownBy(() -> small.importArchive(bomb, null, "bomb:1", Progress.NONE)).hasMessageContaining("import limit");
        assertThat(small.list()).isEmpty();
        small.gc();
        try (var s = Files.list(tmp.resolve("small/images/blobs/sha256"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void chainIdsFollowTheOciSpec() {
        Digest a = Digest.of(new byte[] {1});
        Digest b = Digest.of(new byte[] {2});
        assertThat(LayerStore.chainIds(List.of(a, b)))
                .containsExactly(a, Digest.of((a + " " + b).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
