package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.security.CertificateAuthority;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The API's transport (api/Http2Transport): HTTP/2 by ALPN beside HTTP/1.1, watches and requests
 * multiplexed on one connection without one waiting for another, and HTTP/1.1 still chosen by a
 * client that asks only for it (the WebSocket clients of exec, attach and port-forward do; those
 * paths have their own tests over kubectl). The API with {@link TestNode}.
 */
class Http2TransportTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";

    @Test
    void aClientThatOffersH2GetsItAndOneThatOffersOnlyHttp11KeepsIt() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            assertThat(d.get("/version").version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(alpn(d, "h2", "http/1.1")).isEqualTo("h2");
            // Nothing chosen by ALPN (Tomcat names only h2), so the connection is HTTP/1.1, as asked.
            assertThat(alpn(d, "http/1.1")).isEmpty();
            HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(CertificateAuthority.trustingOnly(d.root.caCertificate())).build();
            HttpResponse<String> r = http11.send(d.request("/version").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    /**
     * Tomcat runs 20 streams of a connection at once unless told otherwise and queues the rest: with
     * 25 watches open, a request on the same connection would wait until a watch ended.
     */
    @Test
    void requestsBesideMoreThanTwentyOpenWatchesOnOneConnectionAreAnsweredAtOnce() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            List<InputStream> watches = new ArrayList<>();
            try {
                for (int i = 0; i < 25; i++) {
                    HttpResponse<InputStream> w = d.http.send(d.request(PODS + "?watch=true").timeout(Duration.ofMinutes(2)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    assertThat(w.version()).isEqualTo(HttpClient.Version.HTTP_2);
                    assertThat(w.statusCode()).isEqualTo(200);
                    watches.add(w.body());
                }
                long t0 = System.nanoTime();
                HttpResponse<String> list = d.http.sendAsync(d.request(PODS).build(), HttpResponse.BodyHandlers.ofString())
                        .get(20, TimeUnit.SECONDS);
                assertThat(list.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
                var created = d.post(PODS, "application/json", PodsApiTest.pod("beside-watches"));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                // Every watch sees the pod: none of them was starved of its thread.
                for (InputStream w : watches) {
                    assertThat(readUntil(w, "beside-watches")).isTrue();
                }
            } finally {
                for (InputStream w : watches) {
                    w.close();
                }
            }
        }
    }

    /** More requests in flight on one connection than Tomcat's default of 100 streams (the JDK 17 client fails the rest). */
    @Test
    void twoHundredRequestsInFlightOnOneConnectionAllSucceed() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(d.http.sendAsync(d.request(PODS).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> r = f.get(90, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            }
        }
    }

    private static String alpn(DaemonFixture d, String... offered) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", d.port);
             SSLSocket s = (SSLSocket) CertificateAuthority.trustingOnly(d.root.caCertificate()).getSocketFactory()
                     .createSocket(plain, "127.0.0.1", d.port, true)) {
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(offered);
            s.setSSLParameters(p);
            s.startHandshake();
            return s.getApplicationProtocol();
        }
    }

    private static boolean readUntil(InputStream in, String text) throws Exception {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            int n = in.read(buf);
            if (n < 0) {
                return false;
            }
            seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            if (seen.indexOf(text) >= 0) {
                return true;
            }
        }
        return false;
    }
}
