package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.portforward.SpdyCodec;
import io.berth.testkit.OpenFds;
import io.berth.testkit.Requirements;
import io.berth.testkit.WebPod;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real kubectl port-forward against the daemon with its real node side: a busybox pod whose
 * httpd listens on 127.0.0.1:8080 inside the pod's own network namespace (so only a connection
 * made inside that namespace reaches it), fetched through kubectl's local port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortForwardTest {
    /** Big enough for many SPDY frames and past any 64 KiB flow-control window. */
    static final int BIG = 6 * 1024 * 1024;
    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");

    private DaemonFixture d;
    private String bigSha256;

    @BeforeAll
    void start() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        try {
            d = DaemonFixture.realNode("portforward");
            DaemonFixture.Result created = d.kubectlWithInput(WebPod.yaml("web", BIG), "apply", "-f", "-");
            assertThat(created.exit()).as(created.toString()).isZero();
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                    d.kubectl("get", "pod", "web", "-o", "jsonpath={.status.phase}").out().equals("Running"));
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> {
                DaemonFixture.Result r = d.kubectl("exec", "web", "--", "sha256sum", "/www/big");
                if (r.exit() != 0) {
                    return false;
                }
                bigSha256 = r.out().split(" ")[0];
                return true;
            });
        } catch (Exception | AssertionError e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    /** A running {@code kubectl port-forward}, its local ports as it printed them. */
    record Forward(Process process, List<Integer> localPorts, StringBuffer err) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    Forward forward(String pod, String... ports) throws Exception {
        List<String> args = new ArrayList<>(List.of("port-forward", "pod/" + pod));
        args.addAll(List.of(ports));
        Process p = d.kubectlProcess(args.toArray(String[]::new));
        p.getOutputStream().close();
        StringBuffer err = new StringBuffer();
        Thread e = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    err.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        e.setDaemon(true);
        e.start();
        List<Integer> local = new ArrayList<>();
        CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            try {
                String line;
                while (local.size() < ports.length && (line = r.readLine()) != null) {
                    Matcher m = FORWARDING.matcher(line);
                    if (m.find()) {
                        local.add(Integer.parseInt(m.group(1)));
                    }
                }
                // keep draining so kubectl never blocks on a full pipe
                Thread drain = new Thread(() -> {
                    try {
                        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (IOException ignored) {
                        // ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        try {
            ready.get(30, TimeUnit.SECONDS);
        } catch (Exception ex) {
            p.destroyForcibly();
            throw new AssertionError("kubectl port-forward did not get ready: " + err, ex);
        }
        assertThat(local).as("kubectl said where it listens; stderr: " + err).hasSize(ports.length);
        return new Forward(p, local, err);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void connectionsInARowAndAtOnce() throws Exception {
        try (Forward f = forward("web", ":8080")) {
            int port = f.localPorts().get(0);
            for (int i = 0; i < 5; i++) {
                assertThat(new String(WebPod.get(port, "/index.html"), StandardCharsets.UTF_8)).isEqualTo(WebPod.INDEX);
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<byte[]>> all = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    all.add(pool.submit(() -> WebPod.get(port, "/index.html")));
                }
                for (Future<byte[]> r : all) {
                    assertThat(new String(r.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(WebPod.INDEX);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(f.err().toString()).doesNotContain("error");
        }
    }

    @Test
    void severalMebibytesArriveIntact() throws Exception {
        try (Forward f = forward("web", "0:8080")) {
            byte[] body = WebPod.get(f.localPorts().get(0), "/big");
            assertThat(body.length).isEqualTo(BIG);
            assertThat(sha256(body)).isEqualTo(bigSha256);
        }
    }

    /**
     * The daemon reports the refused connection on that connection's error stream and keeps the
     * tunnel; kubectl 1.32 itself then closes the tunnel and exits (client-go's port-forwarder
     * closes its connection on any error-stream message), so that is what a user sees.
     */
    @Test
    void nothingListeningIsAnError() throws Exception {
        try (Forward f = forward("web", ":9999", ":8080")) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", f.localPorts().get(0)), 5000);
                s.setSoTimeout(20_000);
                assertThat(s.getInputStream().read()).as("the connection ends without data").isEqualTo(-1);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.err().toString())
                    .contains("an error occurred forwarding " + f.localPorts().get(0) + " -> 9999")
                    .contains("127.0.0.1:9999: connect: connection refused"));
            assertThat(f.process().waitFor(20, TimeUnit.SECONDS)).as("kubectl 1.32 ends after an error").isTrue();
            assertThat(f.process().exitValue()).isEqualTo(1);
            assertThat(f.err().toString()).contains("lost connection to pod");
        }
    }

    /**
     * What kubectl cannot show, as it closes the tunnel after an error: the daemon reports the
     * refused port on that pair's error stream, and the same tunnel then carries the next pair.
     * Also a PING is answered and a stream without a port is reset.
     */
    @Test
    void theTunnelOutlivesAnError() throws Exception {
        try (RawTunnel t = new RawTunnel(d, "/api/v1/namespaces/default/pods/web/portforward")) {
            assertThat(t.status).as(t.body).isEqualTo(101);
            assertThat(t.headers).containsEntry("sec-websocket-protocol", "SPDY/3.1+portforward.k8s.io");
            t.send(t.codec.synStream(1, java.util.Map.of("streamType", "error", "port", "9999", "requestID", "0"), false));
            t.send(t.codec.synStream(3, java.util.Map.of("streamType", "data", "port", "9999", "requestID", "0"), false));
            StringBuilder error = new StringBuilder();
            java.util.Set<Integer> finished = new java.util.HashSet<>();
            while (!finished.containsAll(List.of(1, 3))) {
                SpdyCodec.Frame f = t.next();
                assertThat(f).as("the tunnel is still open").isNotNull();
                if (f.type() == 0 && f.streamId() == 1) {
                    error.append(new String(f.data(), StandardCharsets.UTF_8));
                }
                if (f.type() == 0 && f.fin()) {
                    finished.add(f.streamId());
                }
            }
            assertThat(error.toString()).contains("127.0.0.1:9999: connect: connection refused");

            t.send(t.codec.ping(1));
            t.send(t.codec.synStream(5, java.util.Map.of("streamType", "data", "requestID", "9"), false));
            t.send(t.codec.synStream(7, java.util.Map.of("streamType", "error", "port", "8080", "requestID", "1"), false));
            t.send(t.codec.synStream(9, java.util.Map.of("streamType", "data", "port", "8080", "requestID", "1"), false));
            byte[] get = "GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            t.send(SpdyCodec.data(9, SpdyCodec.FLAG_FIN, get, 0, get.length));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean pong = false;
            boolean reset = false;
            finished.clear();
            while (!finished.containsAll(List.of(7, 9))) {
                SpdyCodec.Frame f = t.next();
                assertThat(f).as("the tunnel is still open").isNotNull();
                pong |= f.type() == SpdyCodec.PING && f.value() == 1;
                reset |= f.type() == SpdyCodec.RST_STREAM && f.streamId() == 5;
                if (f.type() == 0 && f.streamId() == 9) {
                    body.writeBytes(f.data());
                }
                assertThat(f.type() == 0 && f.streamId() == 7 && f.data().length > 0).as("no error this time").isFalse();
                if (f.type() == 0 && f.fin()) {
                    finished.add(f.streamId());
                }
            }
            assertThat(body.toString(StandardCharsets.ISO_8859_1)).contains(" 200 ").endsWith(WebPod.INDEX);
            assertThat(pong).as("PING answered").isTrue();
            assertThat(reset).as("a stream without a port is reset").isTrue();
        }
    }

    /** Refused before the upgrade, as a Status: a missing pod, and a pod that is not running. */
    @Test
    void refusalsAreStatuses() throws Exception {
        try (RawTunnel t = new RawTunnel(d, "/api/v1/namespaces/default/pods/nope/portforward")) {
            assertThat(t.status).isEqualTo(404);
            assertThat(t.body).contains("\"kind\":\"Status\"", "\"reason\":\"NotFound\"", "\"name\":\"nope\"");
        }
        String done = """
                apiVersion: v1
                kind: Pod
                metadata: {name: done}
                spec:
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    imagePullPolicy: IfNotPresent
                    command: ["true"]
                """;
        assertThat(d.kubectlWithInput(done, "apply", "-f", "-").exit()).isZero();
        try {
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                    d.kubectl("get", "pod", "done", "-o", "jsonpath={.status.phase}").out().equals("Succeeded"));
            try (RawTunnel t = new RawTunnel(d, "/api/v1/namespaces/default/pods/done/portforward")) {
                assertThat(t.status).isEqualTo(400);
                assertThat(t.body).contains("unable to forward port because pod is not running. Current status=Succeeded");
            }
        } finally {
            d.kubectl("delete", "pod", "done", "--grace-period=0");
        }
    }

    @Test
    void aPodThatDoesNotExist() throws Exception {
        DaemonFixture.Result r = d.kubectl("port-forward", "pod/nope", "18080:8080");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("pods \"nope\" not found");
    }

    @Test
    void nothingIsLeftAfterTheTunnelCloses() throws Exception {
        // a first tunnel warms up what the daemon keeps for good (thread pools, TLS session caches)
        try (Forward f = forward("web", ":8080")) {
            WebPod.get(f.localPorts().get(0), "/index.html");
        }
        Set<String> before = OpenFds.now();
        try (Forward f = forward("web", ":8080")) {
            for (int i = 0; i < 3; i++) {
                WebPod.get(f.localPorts().get(0), "/index.html");
            }
            // one connection left open when kubectl goes away
            Socket open = new Socket();
            open.connect(new InetSocketAddress("127.0.0.1", f.localPorts().get(0)), 5000);
            open.getOutputStream().write("GET /big HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            open.getInputStream().read();
            f.close();
            open.close();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("portforward-")).toList()).isEmpty();
            assertThat(OpenFds.now()).isSubsetOf(before);
        });
    }
}
