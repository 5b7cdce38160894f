package io.berth.image.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP proxy in front of a real registry that misbehaves on request: cuts a blob
 * transfer after N bytes, flips a byte, ignores Range, answers 503. It logs each request
 * ("GET /v2/x/blobs/sha256:.. range=bytes=5-") so tests can see what the client sent.
 */
final class FaultProxy implements AutoCloseable {
    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    final List<String> log = new CopyOnWriteArrayList<>();
    /** Blob GETs to cut after {@link #cutAfter} bytes. */
    final AtomicInteger cuts = new AtomicInteger();
    volatile long cutAfter;
    volatile boolean flipByte;
    /** Blob GETs that send {@link #cutAfter} bytes and then go silent (until the proxy closes). */
    final AtomicInteger stalls = new AtomicInteger();
    volatile boolean ignoreRange;
    /** Requests to answer with 503 before passing any through. */
    final AtomicInteger unavailable = new AtomicInteger();
    /** The status (503 or 429) and Retry-After (seconds, or null) of those answers. */
    volatile int unavailableStatus = 503;
    volatile String retryAfter;

    FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String range = ex.getRequestHeaders().getFirst("Range");
            String path = ex.getRequestURI().getRawPath();
            log.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " range=" + range));
            if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (retryAfter != null) {
                    ex.getResponseHeaders().add("Retry-After", retryAfter);
                }
                ex.sendResponseHeaders(unavailableStatus, -1);
                return;
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve(ex.getRequestURI().toString()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
            for (String h : List.of("Accept", "Authorization")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    req.header(h, v);
                }
            }
            if (range != null && !ignoreRange) {
                req.header("Range", range);
            }
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            for (String h : List.of("Content-Type", "Docker-Content-Digest", "Content-Range", "WWW-Authenticate", "Location")) {
                resp.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().add(h, v));
            }
            byte[] body = resp.body();
            boolean blob = path.contains("/blobs/") && ex.getRequestMethod().equals("GET") && resp.statusCode() / 100 == 2;
            if (blob && flipByte && body.length > 0) {
                body = body.clone();
                body[body.length / 2] ^= 0x01;
            }
            if (body.length == 0 || ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(resp.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(resp.statusCode(), body.length);
            OutputStream out = ex.getResponseBody();
            if (blob && cutAfter < body.length && stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.write(body, 0, (int) cutAfter);
                out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (blob && cutAfter < body.length && cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.write(body, 0, (int) cutAfter);
                out.flush();
                // Shorter than the Content-Length we promised: the server closes the connection mid-body.
                return;
            }
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
