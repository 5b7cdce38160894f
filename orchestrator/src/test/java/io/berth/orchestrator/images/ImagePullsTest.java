package io.berth.orchestrator.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.berth.image.reference.ImageReference;
import io.berth.image.store.ImageStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two requests for one reference while it is being pulled make one pull: the second waits for the
 * first and gets its outcome. A registry on loopback (plain HTTP, as the client allows there) that
 * answers the manifest slowly and counts the requests it gets.
 */
class ImagePullsTest {

    @Test
    void aSecondPullOfTheSameReferenceWaitsForTheFirstInsteadOfPullingAgain() throws Exception {
        AtomicInteger manifestRequests = new AtomicInteger();
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.contains("/manifests/")) {
                manifestRequests.incrementAndGet();
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = path.equals("/v2/") ? "{}".getBytes()
                    : "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Docker-Distribution-Api-Version", "registry/2.0");
            exchange.sendResponseHeaders(path.equals("/v2/") ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        registry.start();
        Path dir = Files.createTempDirectory("berth-pulls-test");
        try {
            ImagePulls pulls = new ImagePulls(new ImageStore(dir));
            ImageReference ref = ImageReference.parse("127.0.0.1:" + registry.getAddress().getPort() + "/slow/image:1");

            // One pull alone: how many manifest requests it makes.
            assertThatThrownBy(() -> pulls.pull(ref)).hasMessageContaining("manifest unknown");
            int alone = manifestRequests.getAndSet(0);
            assertThat(alone).isPositive();

            // Two at once: the same number, and both callers get the failure.
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> outcome(pulls, ref));
            Thread.sleep(300); // the first is waiting for the registry's slow answer
            assertThat(pulls.inFlight()).isEqualTo(1);
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> outcome(pulls, ref));
            assertThat(first.get()).contains("manifest unknown");
            assertThat(second.get()).isEqualTo(first.get());
            assertThat(manifestRequests.get()).as("manifest requests for two concurrent pulls").isEqualTo(alone);
            assertThat(pulls.inFlight()).isZero();
        } finally {
            registry.stop(0);
            io.berth.testkit.BusyboxRootfs.deleteTree(dir);
        }
    }

    private static String outcome(ImagePulls pulls, ImageReference ref) {
        try {
            pulls.pull(ref);
            return "pulled";
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }
}
