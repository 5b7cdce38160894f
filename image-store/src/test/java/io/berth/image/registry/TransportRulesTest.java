package io.berth.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;

/**
 * HTTPS-by-default, redirect and Basic-auth rules, against small loopback HTTP servers that play
 * the parts docker-registry cannot (a Basic-auth registry that redirects blobs to object storage,
 * one that redirects or points its token realm to plain HTTP elsewhere). Refusals must happen
 * before any connection: the refused hosts are under .invalid and never resolve.
 */
class TransportRulesTest {
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    private HttpServer serve(Function<HttpExchange, Reply> handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                Reply r = handler.apply(ex);
                r.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                if (r.body.length == 0) {
                    ex.sendResponseHeaders(r.status, -1);
                } else {
                    ex.sendResponseHeaders(r.status, r.body.length);
                    ex.getResponseBody().write(r.body);
                }
            }
        });
        server.start();
        servers.add(server);
        return server;
    }

    private record Reply(int status, Map<String, String> headers, byte[] body) {
        static Reply of(int status, Map<String, String> headers) {
            return new Reply(status, headers, new byte[0]);
        }
    }

    private static String hostPort(HttpServer s) {
        return "127.0.0.1:" + s.getAddress().getPort();
    }

    @Test
    void httpsUnlessLoopbackOrInsecure() {
        RegistryClient plain = new RegistryClient(RegistryConfig.defaults());
        assertThat(plain.endpoint(ImageReference.parse("busybox"))).hasToString("https://registry-1.docker.io/v2/");
        assertThat(plain.endpoint(ImageReference.parse("registry.example.com:5000/app"))).hasToString("https://registry.example.com:5000/v2/");
        assertThat(plain.endpoint(ImageReference.parse("127.0.0.1:5000/app"))).hasToString("http://127.0.0.1:5000/v2/");
        assertThat(plain.endpoint(ImageReference.parse("127.1.2.3:5000/app"))).hasToString("http://127.1.2.3:5000/v2/");
        assertThat(plain.endpoint(ImageReference.parse("localhost:5000/app"))).hasToString("http://localhost:5000/v2/");
        assertThat(plain.endpoint(ImageReference.parse("[::1]:5000/app"))).hasToString("http://[::1]:5000/v2/");
        // Looks like loopback but is a DNS name: still HTTPS.
        assertThat(plain.endpoint(ImageReference.parse("127.0.0.1.example.com/app"))).hasToString("https://127.0.0.1.example.com/v2/");

        RegistryClient insecure = new RegistryClient(RegistryConfig.defaults().withInsecure("registry.example.com:5000").withInsecure("lab.example.org"));
        assertThat(insecure.endpoint(ImageReference.parse("registry.example.com:5000/app"))).hasToString("http://registry.example.com:5000/v2/");
        assertThat(insecure.endpoint(ImageReference.parse("registry.example.com/app"))).hasToString("https://registry.example.com/v2/");
        assertThat(insecure.endpoint(ImageReference.parse("lab.example.org:8080/app"))).hasToString("http://lab.example.org:8080/v2/");
    }

    @Test
    void redirectToPlainHttpElsewhereIsRefusedBeforeConnecting() throws Exception {
        HttpServer reg = serve(ex -> Reply.of(307, Map.of("Location", "http://storage.berth-test.invalid/blob")));
        ImageReference ref = ImageReference.parse(hostPort(reg) + "/app:v1");
        assertThatThrownBy(() -> new RegistryClient(RegistryConfig.defaults().withMaxRetries(0)).resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("refusing plain HTTP to storage.berth-test.invalid (while pulling " + ref
                        + "): only loopback registries may use HTTP unless you add storage.berth-test.invalid to the insecure registries");
    }

    @Test
    void tokenRealmOverPlainHttpElsewhereIsRefused() throws Exception {
        HttpServer reg = serve(ex -> Reply.of(401, Map.of("WWW-Authenticate",
                "Bearer realm=\"http://auth.berth-test.invalid/token\",service=\"reg\",scope=\"repository:app:pull\"")));
        ImageReference ref = ImageReference.parse(hostPort(reg) + "/app:v1");
        assertThatThrownBy(() -> new RegistryClient(RegistryConfig.defaults().withMaxRetries(0)
                .withCredentials(hostPort(reg), new Credentials("bob", "pw"))).resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("refusing plain HTTP to auth.berth-test.invalid (while pulling " + ref + ")");
    }

    @Test
    void basicAuthAndBlobRedirectWithoutLeakingCredentials(@TempDir Path out) throws Exception {
        byte[] layer = "not really a tar, but the client does not care".getBytes(StandardCharsets.UTF_8);
        Digest layerDigest = Digest.of(layer);
        byte[] config = ManifestJson.write(new ImageConfig("amd64", "linux", null, null, null,
                new ImageConfig.RootFs("layers", List.of(layerDigest.toString()))));
        Digest configDigest = Digest.of(config);
        byte[] manifest = ManifestJson.write(new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                new ManifestDescriptor(MediaTypes.OCI_CONFIG, configDigest.toString(), config.length, null, null),
                List.of(new ManifestDescriptor(MediaTypes.OCI_LAYER, layerDigest.toString(), layer.length, null, null))));
        Map<String, String> storageSaw = new ConcurrentHashMap<>();
        HttpServer storage = serve(ex -> {
            storageSaw.put(ex.getRequestURI().getPath(), String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            return new Reply(200, Map.of(), ex.getRequestURI().getPath().endsWith(configDigest.hex()) ? config : layer);
        });
        String basic = new Credentials("bob", "pw").basicHeader();
        HttpServer reg = serve(ex -> {
            if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                return Reply.of(401, Map.of("WWW-Authenticate", "Basic realm=\"berth test\""));
            }
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v2/app/manifests/v1")) {
                return new Reply(200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), manifest);
            }
            if (path.startsWith("/v2/app/blobs/sha256:")) {
                return Reply.of(307, Map.of("Location", "http://" + hostPort(storage) + "/store/" + path.substring(path.indexOf(':') + 1)));
            }
            return Reply.of(404, Map.of());
        });
        ImageReference ref = ImageReference.parse(hostPort(reg) + "/app:v1");

        assertThatThrownBy(() -> new RegistryClient(RegistryConfig.defaults()).resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + hostPort(reg) + " answered 401 for app: it needs credentials and none are configured for " + hostPort(reg));
        assertThatThrownBy(() -> new RegistryClient(RegistryConfig.defaults().withCredentials(hostPort(reg), new Credentials("bob", "nope")))
                .resolve(ref, Platform.DEFAULT))
                .hasMessage("registry " + hostPort(reg) + " answered 401 for app: check credentials");

        RegistryClient client = new RegistryClient(RegistryConfig.defaults().withCredentials(hostPort(reg), new Credentials("bob", "pw")));
        ResolvedImage image = client.resolve(ref, Platform.DEFAULT);
        assertThat(image.manifestDigest()).isEqualTo(Digest.of(manifest));
        assertThat(image.configBytes()).isEqualTo(config);
        Descriptor d = image.manifest().layers().get(0).toDescriptor();
        client.fetchBlob(ref, d, out.resolve("layer"), Progress.NONE);
        assertThat(Files.readAllBytes(out.resolve("layer"))).isEqualTo(layer);
        assertThat(storageSaw).containsOnly(
                Map.entry("/store/" + configDigest.hex(), "null"),
                Map.entry("/store/" + layerDigest.hex(), "null"));
    }

    @Test
    void manifestNotMatchingItsDigestHeaderIsRefused() throws Exception {
        byte[] manifest = ManifestJson.write(new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                new ManifestDescriptor(MediaTypes.OCI_CONFIG, Digest.of(new byte[0]).toString(), 0, null, null), List.of()));
        Digest claimed = Digest.of(new byte[] {42});
        HttpServer reg = serve(ex -> new Reply(200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST,
                "Docker-Content-Digest", claimed.toString()), manifest));
        ImageReference ref = ImageReference.parse(hostPort(reg) + "/app:v1");
        assertThatThrownBy(() -> new RegistryClient(RegistryConfig.defaults()).resolve(ref, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessage("the manifest of " + ref + " has digest " + Digest.of(manifest) + " but the registry says " + claimed
                        + ": the content was altered in transit; refusing it");
    }

    @Test
    void schema1AndNonImagesAreRejected() throws Exception {
        HttpServer reg = serve(ex -> ex.getRequestURI().getPath().contains("old")
                ? new Reply(200, Map.of("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws"),
                        "{\"schemaVersion\":1,\"name\":\"old\"}".getBytes(StandardCharsets.UTF_8))
                : new Reply(200, Map.of("Content-Type", "text/html"), "<html>login</html>".getBytes(StandardCharsets.UTF_8)));
        RegistryClient client = new RegistryClient(RegistryConfig.defaults());
        ImageReference old = ImageReference.parse(hostPort(reg) + "/old:v1");
        assertThatThrownBy(() -> client.resolve(old, Platform.DEFAULT))
                .hasMessage(old + " has a Docker schema 1 manifest, which Berth does not pull: push it again with a current docker or skopeo");
        ImageReference html = ImageReference.parse(hostPort(reg) + "/portal:v1");
        assertThatThrownBy(() -> client.resolve(html, Platform.DEFAULT))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed manifest of " + html + ": ")
                .hasMessageEndingWith(": the registry served something that is not an image document");
    }

    @Test
    void configValidation() {
        assertThatThrownBy(() -> RegistryConfig.defaults().withMaxRetries(-1))
                .hasMessage("maxRetries is -1: use 0 for no retries");
        assertThatThrownBy(() -> new RegistryConfig(null, null, 1, java.time.Duration.ZERO))
                .hasMessage("registry timeout is PT0S: it must be positive");
        assertThatThrownBy(() -> new Credentials("a:b", "x"))
                .hasMessage("invalid registry username 'a:b': it must be non-empty and contain no ':'");
        assertThat(new Credentials("bob", "hunter2").toString()).doesNotContain("hunter2");
    }
}
