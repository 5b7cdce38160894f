package io.berth.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Digest;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;
import io.berth.image.registry.LocalRegistry;
import io.berth.image.registry.RegistryClient;
import io.berth.image.registry.RegistryConfig;
import io.berth.image.registry.RegistryException;
import io.berth.image.registry.TestImages;

/** Pulls through a real docker-registry on loopback into a real store, layers unpacked for real. */
class RegistryPullTest {
    private static LocalRegistry registry;
    private static TestImages.Layout busybox;
    @TempDir
    static Path layouts;
    @TempDir
    Path root;

    private final RegistryClient client = new RegistryClient(RegistryConfig.defaults().withMaxRetries(1));

    @BeforeAll
    static void pushImages() throws Exception {
        registry = LocalRegistry.start();
        busybox = TestImages.busybox(Files.createDirectories(layouts.resolve("busybox")), "v1");
        TestImages.push(busybox, registry.hostPort(), "busybox:v1");
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pullStoresVerifiedBlobsUnpacksLayersAndNamesTheImage() throws Exception {
        ImageStore store = new ImageStore(root);
        ImageReference ref = registry.ref("busybox:v1");
        List<Digest> progressed = new ArrayList<>();
        ImageSummary s = store.pull(ref, Platform.DEFAULT, client, (d, done, total) -> {
            if (done == total) {
                progressed.add(d);
            }
        });
        TestImages.Built built = busybox.manifests().get(0);
        assertThat(s.name()).isEqualTo(ref.toString());
        assertThat(s.digest()).isEqualTo(built.manifest());
        assertThat(progressed).containsAll(built.layers());
        ImageDetails details = store.inspect(ref.toString());
        assertThat(details.config().config().cmd()).containsExactly("sh");
        Path top = details.layers().get(details.layers().size() - 1).unpacked();
        assertThat(top.resolve("bin/busybox")).isRegularFile();
        for (Digest blob : built.layers()) {
            assertThat(store.content().has(blob)).isTrue();
        }
        try (var ingest = Files.list(root.resolve("images/ingest"))) {
            assertThat(ingest).as("nothing half-downloaded stays behind").isEmpty();
        }
    }

    @Test
    void aSecondPullDownloadsNothingAndAPartialDownloadIsResumed() throws Exception {
        ImageStore store = new ImageStore(root);
        TestImages.Built built = busybox.manifests().get(0);
        Digest layer = built.layers().get(0);
        // A pull that died after the first 1000 bytes of the layer left its ingest file.
        Path blob = layouts.resolve("busybox/blobs/sha256").resolve(layer.hex());
        Files.write(store.content().ingestPath(layer), java.util.Arrays.copyOf(Files.readAllBytes(blob), 1000));
        List<Long> firstSeen = new ArrayList<>();
        store.pull(registry.ref("busybox:v1"), Platform.DEFAULT, client, (d, done, total) -> {
            if (d.equals(layer) && firstSeen.isEmpty()) {
                firstSeen.add(done);
            }
        });
        assertThat(firstSeen).singleElement().satisfies(done -> assertThat(done).isGreaterThanOrEqualTo(1000L));
        // Present blobs are not fetched again: a re-download would be committed as a new file.
        Object inode = Files.getAttribute(store.content().blobPath(layer), "unix:ino");
        store.pull(registry.ref("busybox:v1"), Platform.DEFAULT, client, io.berth.image.content.Progress.NONE);
        assertThat(Files.getAttribute(store.content().blobPath(layer), "unix:ino")).isEqualTo(inode);
    }

    @Test
    void anUnknownTagIsAClearErrorAndStoresNothingNamed() throws Exception {
        ImageStore store = new ImageStore(root);
        assertThatThrownBy(() -> store.pull(registry.ref("busybox:nope"), Platform.DEFAULT, client, io.berth.image.content.Progress.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("busybox:nope does not exist");
        assertThat(store.list()).isEmpty();
    }
}
