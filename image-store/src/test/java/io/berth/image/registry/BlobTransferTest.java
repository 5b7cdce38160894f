package io.berth.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.Progress;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;

/** Resuming, corrupt data and 5xx against a real registry behind a {@link FaultProxy}. */
class BlobTransferTest {
    private static LocalRegistry registry;
    private static byte[] layerBytes;
    private static Descriptor layer;
    private FaultProxy proxy;
    private ImageReference ref;
    @TempDir
    Path dir;

    @BeforeAll
    static void pushImage(@TempDir Path layoutDir) {
        registry = LocalRegistry.start();
        TestImages.Layout layout = TestImages.busybox(layoutDir, "v1");
        TestImages.push(layout, registry.hostPort(), "busybox:v1");
        ResolvedImage image = new RegistryClient(RegistryConfig.defaults()).resolve(registry.ref("busybox:v1"), Platform.DEFAULT);
        layer = image.manifest().layers().get(0).toDescriptor();
        try {
            layerBytes = Files.readAllBytes(layoutDir.resolve("blobs/sha256/" + layer.digest().hex()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(layerBytes.length).as("busybox layer").isGreaterThan(100_000);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new FaultProxy(registry.url());
        ref = ImageReference.parse(proxy.hostPort() + "/busybox:v1");
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private RegistryClient client(int retries) {
        return new RegistryClient(RegistryConfig.defaults().withMaxRetries(retries));
    }

    private String blobPath() {
        return "GET /v2/busybox/blobs/" + layer.digest();
    }

    @Test
    void cutConnectionIsResumedWithRange() throws Exception {
        proxy.cuts.set(1);
        proxy.cutAfter = 100_000;
        Path file = dir.resolve("layer.partial");
        client(2).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
        assertThat(proxy.log).containsExactly(blobPath(), blobPath() + " range=bytes=100000-");
    }

    @Test
    void stalledTransferIsAbandonedAfterTheTimeoutAndResumed() throws Exception {
        proxy.stalls.set(1);
        proxy.cutAfter = 50_000;
        Path file = dir.resolve("layer.partial");
        RegistryClient client = new RegistryClient(new RegistryConfig(null, null, 1, java.time.Duration.ofMillis(500)));
        long start = System.nanoTime();
        client.fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
        assertThat(proxy.log).containsExactly(blobPath(), blobPath() + " range=bytes=50000-");
    }

    @Test
    void existingPartialFileIsExtended() throws Exception {
        Path file = dir.resolve("layer.partial");
        Files.write(file, Arrays.copyOf(layerBytes, 12345));
        client(0).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
        assertThat(proxy.log).containsExactly(blobPath() + " range=bytes=12345-");
    }

    @Test
    void completeVerifiedFileIsNotFetchedAgain() throws Exception {
        Path file = dir.resolve("layer.partial");
        Files.write(file, layerBytes);
        client(0).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(proxy.log).isEmpty();
    }

    @Test
    void serverIgnoringRangeStartsOver() throws Exception {
        proxy.ignoreRange = true;
        Path file = dir.resolve("layer.partial");
        Files.write(file, Arrays.copyOf(layerBytes, 5000));
        client(0).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
        assertThat(proxy.log).containsExactly(blobPath() + " range=bytes=5000-");
    }

    @Test
    void corruptBlobIsRejectedAndDeleted() {
        proxy.flipByte = true;
        Path file = dir.resolve("layer.partial");
        assertThatThrownBy(() -> client(0).fetchBlob(ref, layer, file, Progress.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("blob " + layer.digest() + " of " + ref + " arrived with digest sha256:")
                .hasMessageEndingWith(" (deleted the download): the registry served corrupt data; pull again, and if it persists the registry's copy is damaged");
        assertThat(file).doesNotExist();
    }

    @Test
    void corruptPartialFileIsDetectedAtTheEnd() throws Exception {
        Path file = dir.resolve("layer.partial");
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 7);
        Files.write(file, garbage);
        assertThatThrownBy(() -> client(0).fetchBlob(ref, layer, file, Progress.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("arrived with digest");
        assertThat(file).doesNotExist();
        // The next attempt starts clean and succeeds.
        client(0).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
    }

    @Test
    void wrongSizeIsRejectedAndDeleted() {
        Descriptor shorter = new Descriptor(layer.mediaType(), layer.digest(), layer.size() - 1);
        Path file = dir.resolve("layer.partial");
        assertThatThrownBy(() -> client(0).fetchBlob(ref, shorter, file, Progress.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessage("blob " + layer.digest() + " of " + ref + " has more than the " + shorter.size()
                        + " bytes its descriptor says: the registry served other data; pull again, and if it persists the image is broken");
        assertThat(file).doesNotExist();
        Descriptor longer = new Descriptor(layer.mediaType(), layer.digest(), layer.size() + 10);
        assertThatThrownBy(() -> client(0).fetchBlob(ref, longer, file, Progress.NONE))
                .hasMessageContaining("has " + layer.size() + " bytes instead of the " + longer.size() + " bytes its descriptor says");
        assertThat(file).doesNotExist();
    }

    @Test
    void repeatedCutsGiveUpButKeepThePartialFileForLater() throws Exception {
        proxy.cuts.set(10);
        proxy.cutAfter = 1000;
        Path file = dir.resolve("layer.partial");
        assertThatThrownBy(() -> client(1).fetchBlob(ref, layer, file, Progress.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("downloading blob " + layer.digest() + " of " + ref + " failed 2 times (")
                .hasMessageEndingWith("; 2000 of " + layer.size() + " bytes are kept in " + file + ": pull again to resume");
        assertThat(Files.readAllBytes(file)).isEqualTo(Arrays.copyOf(layerBytes, 2000));
        proxy.cuts.set(0);
        client(0).fetchBlob(ref, layer, file, Progress.NONE);
        assertThat(Files.readAllBytes(file)).isEqualTo(layerBytes);
        assertThat(proxy.log).last().isEqualTo(blobPath() + " range=bytes=2000-");
    }

    @Test
    void serviceUnavailableIsRetriedWithBackoff() throws Exception {
        proxy.unavailable.set(2);
        ResolvedImage image = client(3).resolve(ref, Platform.DEFAULT);
        assertThat(image.manifest().layers()).hasSize(1);
        assertThat(proxy.log.subList(0, 3)).allMatch(l -> l.equals("GET /v2/busybox/manifests/v1"));

        proxy.unavailable.set(5);
        assertThatThrownBy(() -> client(1).resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + proxy.hostPort() + " answered 503 for the manifest of " + ref + ": try again later or check the registry");
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() {
        proxy.unavailableStatus = 429;
        proxy.retryAfter = "1";
        proxy.unavailable.set(1);
        long start = System.nanoTime();
        client(1).resolve(ref, Platform.DEFAULT);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(proxy.log.subList(0, 2)).containsExactly("GET /v2/busybox/manifests/v1", "GET /v2/busybox/manifests/v1");
    }

    @Test
    void progressReportsResumedBytes() throws Exception {
        Path file = dir.resolve("layer.partial");
        Files.write(file, Arrays.copyOf(layerBytes, 777));
        java.util.List<Long> seen = new java.util.ArrayList<>();
        client(0).fetchBlob(ref, layer, file, (Digest d, long done, long total) -> seen.add(done));
        assertThat(seen).first().isEqualTo(777L);
        assertThat(seen).isSorted().last().isEqualTo((long) layerBytes.length);
    }
}
