package io.berth.image.registry;

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

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;

/** Pulls from a real docker-registry into which skopeo pushed images built from the busybox fixture. */
class RegistryClientTest {
    private static final Platform ARM64 = new Platform("linux", "arm64", null);
    private static LocalRegistry registry;
    private static TestImages.Layout single;
    private static TestImages.Layout multi;
    @TempDir
    static Path layouts;

    @BeforeAll
    static void pushImages() throws Exception {
        registry = LocalRegistry.start();
        single = TestImages.busybox(Files.createDirectories(layouts.resolve("single")), "v1");
        TestImages.push(single, registry.hostPort(), "busybox:v1");
        TestImages.push(single, registry.hostPort(), "busybox:v2s2", "--format", "v2s2");
        multi = TestImages.busybox(Files.createDirectories(layouts.resolve("multi")), "multi", Platform.DEFAULT, ARM64);
        TestImages.push(multi, registry.hostPort(), "busybox:multi");
        TestImages.push(multi, registry.hostPort(), "busybox:multi-v2s2", "--format", "v2s2");
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private final RegistryClient client = new RegistryClient(RegistryConfig.defaults().withMaxRetries(1));

    @Test
    void resolvesOciManifestAndVerifiedConfig() {
        ResolvedImage image = client.resolve(registry.ref("busybox:v1"), Platform.DEFAULT);
        TestImages.Built built = single.manifests().get(0);
        assertThat(image.manifestDigest()).isEqualTo(built.manifest());
        assertThat(image.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Digest.of(image.manifestBytes())).isEqualTo(built.manifest());
        assertThat(Digest.of(image.configBytes())).isEqualTo(built.config());
        assertThat(image.config().architecture()).isEqualTo("amd64");
        assertThat(image.config().config().cmd()).containsExactly("sh");
        assertThat(image.manifest().layers()).extracting(ManifestDescriptor::digest)
                .containsExactlyElementsOf(built.layers().stream().map(Digest::toString).toList());
        assertThat(image.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(built.layers());
        assertThat(image.configDescriptor().digest()).isEqualTo(built.config());
    }

    @Test
    void fetchesEveryBlobVerifiedWithProgress(@TempDir Path out) throws Exception {
        ResolvedImage image = client.resolve(registry.ref("busybox:v1"), Platform.DEFAULT);
        for (ManifestDescriptor layer : image.manifest().layers()) {
            Descriptor d = layer.toDescriptor();
            Path file = out.resolve(d.digest().hex() + ".partial");
            List<Long> progress = new ArrayList<>();
            client.fetchBlob(image.ref(), d, file, (digest, done, total) -> {
                assertThat(digest).isEqualTo(d.digest());
                assertThat(total).isEqualTo(d.size());
                progress.add(done);
            });
            assertThat(Files.size(file)).isEqualTo(d.size());
            assertThat(Digest.of(Files.readAllBytes(file))).isEqualTo(d.digest());
            assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(single.dir().resolve("blobs/sha256/" + d.digest().hex())));
            assertThat(progress).isSorted().last().isEqualTo(d.size());
        }
    }

    @Test
    void pinnedDigestReferenceResolvesAndWrongDigestIsUnknown() {
        Digest manifest = single.manifests().get(0).manifest();
        ResolvedImage image = client.resolve(registry.ref("busybox@" + manifest), Platform.DEFAULT);
        assertThat(image.manifestDigest()).isEqualTo(manifest);
        Digest other = Digest.of(new byte[] {1});
        assertThatThrownBy(() -> client.resolve(registry.ref("busybox@" + other), Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("manifest unknown: " + registry.hostPort() + "/busybox@" + other + " does not exist");
    }

    @Test
    void unknownTagIsAClearError() {
        assertThatThrownBy(() -> client.resolve(registry.ref("busybox:nope"), Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("manifest unknown: " + registry.hostPort() + "/busybox:nope does not exist");
        assertThatThrownBy(() -> client.resolve(registry.ref("nothing-here:v1"), Platform.DEFAULT))
                .hasMessage("manifest unknown: " + registry.hostPort() + "/nothing-here:v1 does not exist");
    }

    @Test
    void dockerSchema2ManifestResolves(@TempDir Path out) {
        ResolvedImage image = client.resolve(registry.ref("busybox:v2s2"), Platform.DEFAULT);
        assertThat(image.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(image.manifest().config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(image.manifest().layers()).extracting(ManifestDescriptor::mediaType).containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
        assertThat(image.config().rootfs().diffIds()).hasSize(1);
        Descriptor layer = image.manifest().layers().get(0).toDescriptor();
        client.fetchBlob(image.ref(), layer, out.resolve("layer"), io.berth.image.content.Progress.NONE);
        assertThat(out.resolve("layer")).exists();
    }

    @Test
    void indexSelectsThePlatformsManifest() {
        ResolvedImage amd = client.resolve(registry.ref("busybox:multi"), Platform.DEFAULT);
        ResolvedImage arm = client.resolve(registry.ref("busybox:multi"), ARM64);
        assertThat(amd.manifestDigest()).isEqualTo(multi.manifests().get(0).manifest());
        assertThat(arm.manifestDigest()).isEqualTo(multi.manifests().get(1).manifest());
        assertThat(amd.config().architecture()).isEqualTo("amd64");
        assertThat(arm.config().architecture()).isEqualTo("arm64");
        // Pinning the index by digest still selects inside it.
        ResolvedImage pinned = client.resolve(registry.ref("busybox@" + multi.top()), ARM64);
        assertThat(pinned.manifestDigest()).isEqualTo(arm.manifestDigest());
    }

    @Test
    void dockerManifestListSelectsThePlatform() throws Exception {
        // skopeo really stored a Docker manifest list, not an OCI index.
        var http = java.net.http.HttpClient.newHttpClient();
        var top = http.send(java.net.http.HttpRequest.newBuilder(registry.url().resolve("/v2/busybox/manifests/multi-v2s2"))
                .header("Accept", MediaTypes.DOCKER_LIST).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(top.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_LIST);
        ResolvedImage arm = client.resolve(registry.ref("busybox:multi-v2s2"), ARM64);
        assertThat(arm.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(arm.config().architecture()).isEqualTo("arm64");
        ResolvedImage amd = client.resolve(registry.ref("busybox:multi-v2s2"), Platform.DEFAULT);
        assertThat(amd.config().architecture()).isEqualTo("amd64");
        assertThat(amd.manifestDigest()).isNotEqualTo(arm.manifestDigest());
    }

    @Test
    void missingPlatformNamesTheAvailableOnes() {
        assertThatThrownBy(() -> client.resolve(registry.ref("busybox:multi"), Platform.parse("linux/s390x")))
                .isInstanceOf(RegistryException.class)
                .hasMessage("no linux/s390x image in the index of " + registry.hostPort() + "/busybox:multi: available: linux/amd64, linux/arm64");
        assertThatThrownBy(() -> client.resolve(registry.ref("busybox:v1"), ARM64))
                .isInstanceOf(RegistryException.class)
                .hasMessage("image " + registry.hostPort() + "/busybox:v1 is linux/amd64, not linux/arm64: pull it for platform linux/amd64 or use an image built for linux/arm64");
    }

    @Test
    void unreachableRegistryFailsAfterRetries() throws Exception {
        int port = LocalRegistry.freePort();
        ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/busybox:v1");
        assertThatThrownBy(() -> client.resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("cannot reach registry 127.0.0.1:" + port + " at 127.0.0.1:" + port + " after 2 attempts (")
                .hasMessageEndingWith("): check that it is running and reachable");
    }
}
