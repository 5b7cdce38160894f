package io.berth.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.Progress;
import io.berth.image.manifest.Platform;

/**
 * The bearer token flow against a real docker-registry configured with {@code auth: token:}: it
 * answers 401 with a challenge, the client asks {@link TokenServer} for a token, and the registry
 * verifies the token's signature, issuer, audience and access claim.
 */
class TokenAuthTest {
    private static TokenServer tokens;
    private static LocalRegistry registry;
    private static TestImages.Layout layout;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TokenServer(dir, Map.of("alice", "s3cret"));
        registry = LocalRegistry.start(tokens.registryAuth());
        layout = TestImages.busybox(Files.createDirectories(dir.resolve("layout")), "v1");
        TestImages.push(layout, registry.hostPort(), "busybox:v1", "--dest-creds", "alice:s3cret");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @BeforeEach
    void reset() {
        tokens.anonymousPull = true;
        tokens.requests.clear();
    }

    private RegistryClient client(Credentials creds) {
        RegistryConfig config = RegistryConfig.defaults().withMaxRetries(0);
        return new RegistryClient(creds == null ? config : config.withCredentials(registry.hostPort(), creds));
    }

    private void pullAll(RegistryClient client, Path out) throws Exception {
        ResolvedImage image = client.resolve(registry.ref("busybox:v1"), Platform.DEFAULT);
        assertThat(image.manifestDigest()).isEqualTo(layout.manifests().get(0).manifest());
        Descriptor layer = image.manifest().layers().get(0).toDescriptor();
        client.fetchBlob(image.ref(), layer, out.resolve("layer"), Progress.NONE);
        assertThat(Digest.of(Files.readAllBytes(out.resolve("layer")))).isEqualTo(layer.digest());
    }

    @Test
    void anonymousTokenIsFetchedOnceAndCachedPerScope(@TempDir Path out) throws Exception {
        pullAll(client(null), out);
        // Manifest, config and layer all ride on the one token for repository:busybox:pull.
        assertThat(tokens.requests).containsExactly("user=anonymous scope=repository:busybox:pull");
    }

    @Test
    void credentialsAreSentToTheTokenServer(@TempDir Path out) throws Exception {
        tokens.anonymousPull = false;
        pullAll(client(new Credentials("alice", "s3cret")), out);
        assertThat(tokens.requests).containsExactly("user=alice scope=repository:busybox:pull");
    }

    @Test
    void wrongPasswordIsAClearError() {
        assertThatThrownBy(() -> client(new Credentials("alice", "wrong")).resolve(registry.ref("busybox:v1"), Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + registry.hostPort() + " answered 401 for busybox: its token server refused the login of alice; check credentials");
    }

    @Test
    void anonymousWithoutPullAccessIsTold() {
        tokens.anonymousPull = false;
        assertThatThrownBy(() -> client(null).resolve(registry.ref("busybox:v1"), Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + registry.hostPort() + " answered 401 for busybox: it needs credentials and none are configured for "
                        + registry.hostPort());
    }

    @Test
    void tokenServerDownIsNamed() throws Exception {
        // A second registry whose realm points at a closed port.
        int dead = LocalRegistry.freePort();
        try (LocalRegistry other = LocalRegistry.start(new LocalRegistry.TokenAuth(
                java.net.URI.create("http://127.0.0.1:" + dead + "/token"), TokenServer.SERVICE, TokenServer.ISSUER, tokens.rootCertBundle()))) {
            assertThatThrownBy(() -> client(null).resolve(other.ref("busybox:v1"), Platform.DEFAULT))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageStartingWith("cannot reach the token server 127.0.0.1:" + dead + " of registry " + other.hostPort() + " (")
                    .hasMessageEndingWith("): check that it is running and reachable");
        }
    }
}
