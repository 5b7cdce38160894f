package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** berth.io/v1 images written through the API: import, refusals, delete while a real pod uses the image. */
class ImagesApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Path busyboxTar(Path dir) throws Exception {
        Path tar = dir.resolve("busybox.tar");
        Process p = new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".").inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
        return tar;
    }

    private static HttpResponse<String> upload(DaemonFixture d, String query, Path file) throws Exception {
        return d.send(d.request("/apis/berth.io/v1/images" + query).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)));
    }

    /**
     * curl's POST of {@code file} over HTTP/{@code version} ("1.1" or "2"): the status and the body, on
     * two lines. JDK 17's client cannot check an early refusal over HTTP/2: it reads the response only
     * once it has sent the whole body, and the daemon does not read a body it refuses, so a body past
     * the stream's 64 KiB window never ends (curl, Go's client and the JDK's over HTTP/1.1 read the 413).
     */
    private static String curlUpload(DaemonFixture d, String query, Path file, String version) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--http" + version, "--max-time", "20", "--cacert", d.root.caCertificate().toString(),
                "-H", "Authorization: Bearer " + d.token, "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file,
                "-w", "\n%{http_version} %{http_code}", d.uri("/apis/berth.io/v1/images" + query).toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
        return out;
    }

    private static HttpResponse<String> delete(DaemonFixture d, String path) throws Exception {
        return d.send(d.request(path).DELETE());
    }

    private static long uploads(DaemonFixture d) throws Exception {
        Path dir = d.root.dir().resolve("images/uploads");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void importsRefusesAndDeletesOnlyWhenNoPodUsesTheImage() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        Path dir = Files.createTempDirectory("berth-images-test");
        Path tar = busyboxTar(dir);
        try (DaemonFixture d = DaemonFixture.withNode(dir, "images")) {
            Path junk = dir.resolve("junk.txt");
            Files.writeString(junk, "this is not an image\n".repeat(100));
            HttpResponse<String> refused = upload(d, "?name=junk", junk);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            String message = JSON.readTree(refused.body()).path("message").asString();
            assertThat(message).doesNotContain("\n").contains("not a tar archive").contains("root filesystem tarball")
                    .contains("oci-archive").contains("docker-archive");
            HttpResponse<String> nameless = upload(d, "", tar);
            assertThat(nameless.statusCode()).as(nameless.body()).isEqualTo(400);
            assertThat(nameless.body()).contains("--name NAME");
            assertThat(uploads(d)).as("uploads left behind").isZero();
            assertThat(d.get("/apis/berth.io/v1/images").body()).contains("\"items\":[]");

            HttpResponse<String> created = upload(d, "?name=busybox", tar);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode image = JSON.readTree(created.body());
            String name = image.path("metadata").path("name").asString();
            assertThat(name).matches("sha256-[0-9a-f]{12}");
            assertThat(image.path("status").path("references").toString()).contains("docker.io/library/busybox:latest");
            assertThat(uploads(d)).isZero();

            DaemonFixture.Result listed = d.kubectl("get", "images");
            assertThat(listed.exit()).as(listed.toString()).isZero();
            assertThat(listed.out()).containsPattern(name + "\\s+docker\\.io/library/busybox:latest");
            assertThat(d.get("/apis/berth.io/v1/images?reference=busybox").body()).contains(name);
            assertThat(d.get("/apis/berth.io/v1/images?reference=other").body()).contains("\"items\":[]");

            String pod = """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: user}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: busybox
                        imagePullPolicy: Never
                        command: ["sleep", "3600"]
                    """;
            assertThat(d.kubectlWithInput(pod, "apply", "-f", "-").exit()).isZero();
            org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                    d.kubectl("get", "pod", "user", "-o", "jsonpath={.status.phase}").out().equals("Running"));
            HttpResponse<String> busy = delete(d, "/apis/berth.io/v1/images/" + name);
            assertThat(busy.statusCode()).as(busy.body()).isEqualTo(409);
            assertThat(JSON.readTree(busy.body()).path("message").asString()).doesNotContain("\n")
                    .contains("is used by pod default/user").contains("berth delete pod user");
            assertThat(d.get("/apis/berth.io/v1/images/" + name).statusCode()).isEqualTo(200);

            assertThat(d.kubectl("delete", "pod", "user", "--timeout=60s").exit()).isZero();
            DaemonFixture.Result gone = d.kubectl("delete", "image", name, "--timeout=30s");
            assertThat(gone.exit()).as(gone.toString()).isZero();
            assertThat(gone.out()).contains("image.berth.io \"" + name + "\" deleted");
            assertThat(d.get("/apis/berth.io/v1/images/" + name).statusCode()).isEqualTo(404);
            try (Stream<Path> blobs = Files.list(d.root.dir().resolve("images/blobs/sha256"))) {
                assertThat(blobs.count()).as("blobs left after the image's removal").isZero();
            }
        }
    }

    @Test
    void anUploadAKilledDaemonLeftIsRemovedByTheNextStart() throws Exception {
        Path dir = Files.createTempDirectory("berth-uploads-test");
        Path left = Files.createDirectories(dir.resolve("state/images/uploads")).resolve("upload-123.tar");
        Files.writeString(left, "half of an archive");
        try (DaemonFixture d = new DaemonFixture(dir)) {
            assertThat(left).doesNotExist();
            assertThat(uploads(d)).isZero();
        }
    }

    @Test
    void anUploadOverTheLimitIs413AndLeavesNothing() throws Exception {
        Requirements.command("tar", "tar");
        Requirements.command("curl", "curl");
        System.setProperty("berth.images.max-upload-bytes", "4096");
        try (DaemonFixture d = new DaemonFixture()) {
            Path big = d.dir.resolve("big.tar");
            Files.write(big, new byte[256 * 1024]);
            HttpResponse<String> r = d.send(d.request("/apis/berth.io/v1/images?name=big").version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofFile(big)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.body()).contains("larger than 4096 bytes");
            // Over HTTP/2 too, with a body four times the stream's initial window: the same 413, at once.
            for (String version : new String[] {"2", "1.1"}) {
                String out = curlUpload(d, "?name=big", big, version);
                assertThat(out).as("curl --http" + version).contains("larger than 4096 bytes").endsWith("\n" + version + " 413");
            }
            assertThat(uploads(d)).isZero();
        } finally {
            System.clearProperty("berth.images.max-upload-bytes");
        }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void tar(Path dir, Path out, String... entries) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("tar", "-C", dir.toString(), "-cf", out.toString()));
        cmd.addAll(java.util.List.of(entries));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", cmd)).isTrue();
    }

    /** A docker-archive and an oci-archive made by hand around one small layer (both recognised from the files inside); the OCI layout pushed to docker-registry on loopback and pulled. */
    @Test
    void dockerAndOciArchivesAreRecognisedAndAPullFromALocalRegistryWorks() throws Exception {
        Requirements.command("tar", "tar");
        try (DaemonFixture d = new DaemonFixture()) {
            Path files = Files.createDirectories(d.dir.resolve("files"));
            Files.writeString(files.resolve("hello.txt"), "hello\n");
            Path layer = d.dir.resolve("layer.tar");
            tar(files, layer, "hello.txt");
            String diffId = "sha256:" + sha256(layer);
            String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";

            Path docker = Files.createDirectories(d.dir.resolve("docker"));
            Files.createDirectories(docker.resolve("abc"));
            Files.copy(layer, docker.resolve("abc/layer.tar"));
            Files.writeString(docker.resolve("cfg.json"), config);
            Files.writeString(docker.resolve("manifest.json"),
                    "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"hand/made:1\"],\"Layers\":[\"abc/layer.tar\"]}]");
            Path dockerArchive = d.dir.resolve("docker-archive.tar");
            tar(docker, dockerArchive, "abc", "cfg.json", "manifest.json");
            HttpResponse<String> fromDocker = upload(d, "", dockerArchive);
            assertThat(fromDocker.statusCode()).as(fromDocker.body()).isEqualTo(201);
            assertThat(fromDocker.body()).contains("docker.io/hand/made:1");

            Path oci = Files.createDirectories(d.dir.resolve("oci/blobs/sha256")).getParent().getParent();
            Files.copy(layer, oci.resolve("blobs/sha256/" + sha256(layer)));
            Path cfg = oci.resolve("cfg.tmp");
            Files.writeString(cfg, config);
            String cfgHex = sha256(cfg);
            Files.move(cfg, oci.resolve("blobs/sha256/" + cfgHex));
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + cfgHex
                    + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                    + "\"digest\":\"" + diffId + "\",\"size\":" + Files.size(layer) + "}]}";
            Path m = oci.resolve("m.tmp");
            Files.writeString(m, manifest);
            String mHex = sha256(m);
            Files.move(m, oci.resolve("blobs/sha256/" + mHex));
            Files.writeString(oci.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.writeString(oci.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                    + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + mHex + "\",\"size\":" + manifest.length()
                    + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}}]}");
            Path ociArchive = d.dir.resolve("oci-archive.tar");
            tar(oci, ociArchive, "oci-layout", "index.json", "blobs");
            HttpResponse<String> fromOci = upload(d, "?name=hand/oci:2", ociArchive);
            assertThat(fromOci.statusCode()).as(fromOci.body()).isEqualTo(201);
            assertThat(fromOci.body()).contains("docker.io/hand/oci:2");
            // The layer itself, not the archive imported as one root filesystem layer.
            assertThat(JSON.readTree(fromOci.body()).path("status").path("size").asLong()).isEqualTo(config.length() + Files.size(layer));
            assertThat(uploads(d)).isZero();

            // The same layout pushed to a real registry on loopback (plain HTTP), then pulled through the API.
            Path registryBinary = Requirements.command("docker-registry", "docker-registry");
            Path skopeo = Requirements.command("skopeo", "skopeo");
            int port;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Path registryDir = Files.createDirectories(d.dir.resolve("registry"));
            Files.writeString(registryDir.resolve("config.yml"), "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + registryDir.resolve("data") + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
            Process registry = new ProcessBuilder(registryBinary.toString(), "serve", registryDir.resolve("config.yml").toString())
                    .redirectErrorStream(true).redirectOutput(registryDir.resolve("log").toFile()).start();
            try {
                org.awaitility.Awaitility.await().atMost(20, TimeUnit.SECONDS).ignoreExceptions().until(() -> d.http.send(
                        HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                Process push = new ProcessBuilder(skopeo.toString(), "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false",
                        "oci:" + oci + ":1", "docker://127.0.0.1:" + port + "/hand/pulled:1").inheritIO().start();
                assertThat(push.waitFor(60, TimeUnit.SECONDS) && push.exitValue() == 0).as("skopeo copy to the registry").isTrue();
                HttpResponse<String> pulled = d.post("/apis/berth.io/v1/images", "application/json",
                        "{\"apiVersion\":\"berth.io/v1\",\"kind\":\"Image\",\"spec\":{\"pull\":\"127.0.0.1:" + port + "/hand/pulled:1\"}}");
                assertThat(pulled.statusCode()).as(pulled.body()).isEqualTo(201);
                assertThat(pulled.body()).contains("127.0.0.1:" + port + "/hand/pulled:1");
                HttpResponse<String> missing = d.post("/apis/berth.io/v1/images", "application/json",
                        "{\"kind\":\"Image\",\"spec\":{\"pull\":\"127.0.0.1:" + port + "/hand/absent:1\"}}");
                assertThat(missing.statusCode()).as(missing.body()).isEqualTo(500);
                assertThat(JSON.readTree(missing.body()).path("message").asString()).doesNotContain("\n").contains("cannot pull");
            } finally {
                registry.destroy();
                registry.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
