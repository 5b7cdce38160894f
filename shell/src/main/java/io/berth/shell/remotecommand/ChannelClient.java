package io.berth.shell.remotecommand;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import javax.net.ssl.SSLContext;

import io.berth.shell.ConsoleException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The client's side of the Kubernetes remote-command protocol (client-go's tools/remotecommand,
 * KEP-4006) on the JDK's WebSocket: pods/exec and pods/attach with subprotocol
 * {@code v5.channel.k8s.io} (v4 if that is all the server speaks). Binary frames whose first byte
 * is the channel: 0 stdin, 1 stdout, 2 stderr, 3 the outcome (a metav1.Status), 4 resize, and in
 * v5 255 "close channel N", by which the end of stdin reaches the process as EOF (fabric8 8.0's
 * exec speaks v4 only and cannot say it).
 */
public final class ChannelClient implements AutoCloseable {
    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int STATUS = 3;
    private static final int RESIZE = 4;
    private static final int CLOSE = 255;
    /** client-go's stdin chunk. */
    private static final int CHUNK = 32 * 1024;

    private final WebSocket socket;
    private final Receiver receiver;

    private ChannelClient(WebSocket socket, Receiver receiver) {
        this.socket = socket;
        this.receiver = receiver;
    }

    /**
     * Opens pods/{@code subresource} ("exec" or "attach") of pod {@code ns/name}.
     *
     * @param query the request's parameters (command repeats; the booleans as "true")
     * @param stdout where channel 1 goes; {@code stderr} channel 2 (the same stream for a terminal)
     * @throws ConsoleException with the server's message when it refuses (the pod is unknown, ...)
     */
    public static ChannelClient open(Config config, String ns, String name, String subresource, List<Map.Entry<String, String>> query,
            OutputStream stdout, OutputStream stderr) {
        StringBuilder path = new StringBuilder(config.getMasterUrl().replaceFirst("/+$", "").replaceFirst("^http", "ws"))
                .append("/api/v1/namespaces/").append(encode(ns)).append("/pods/").append(encode(name)).append('/').append(subresource);
        char sep = '?';
        for (Map.Entry<String, String> q : query) {
            path.append(sep).append(encode(q.getKey())).append('=').append(encode(q.getValue()));
            sep = '&';
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        try {
            if (config.getMasterUrl().startsWith("https")) {
                SSLContext ssl = SSLUtils.sslContext(config);
                http.sslContext(ssl);
            }
        } catch (Exception e) {
            throw new ConsoleException("cannot use the kubeconfig's certificates: " + e.getMessage(), e);
        }
        Receiver receiver = new Receiver(stdout, stderr);
        WebSocket.Builder b = http.build().newWebSocketBuilder().subprotocols(V5, V4).connectTimeout(Duration.ofSeconds(10));
        String token = config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            WebSocket ws = b.buildAsync(URI.create(path.toString()), receiver).join();
            return new ChannelClient(ws, receiver);
        } catch (CompletionException e) {
            throw refusal(e.getCause() != null ? e.getCause() : e, config.getMasterUrl());
        }
    }

    /** Whether the server speaks v5, so that {@link #closeStdin()} can reach the process. */
    public boolean v5() {
        return V5.equals(socket.getSubprotocol());
    }

    public void stdin(byte[] b, int off, int len) {
        for (int at = off; at < off + len; at += CHUNK) {
            int n = Math.min(CHUNK, off + len - at);
            ByteBuffer frame = ByteBuffer.allocate(n + 1).put((byte) STDIN).put(b, at, n).flip();
            send(frame);
        }
    }

    /** The end of stdin (v5); with v4 there is no way to say it and this does nothing. */
    public void closeStdin() {
        if (v5()) {
            send(ByteBuffer.wrap(new byte[] {(byte) CLOSE, STDIN}));
        }
    }

    public void resize(int columns, int rows) {
        byte[] json = ("{\"Width\":" + columns + ",\"Height\":" + rows + "}").getBytes(StandardCharsets.US_ASCII);
        send(ByteBuffer.allocate(json.length + 1).put((byte) RESIZE).put(json).flip());
    }

    /**
     * Completes when the server closed the connection: 0 for Success (or a close without a status,
     * as an attach that ended), the process's exit code for NonZeroExitCode; fails with a
     * {@link ConsoleException} carrying the server's message for any other failure.
     */
    public CompletableFuture<Integer> exit() {
        return receiver.exit;
    }

    private synchronized void send(ByteBuffer frame) {
        if (socket.isOutputClosed() || receiver.exit.isDone()) {
            return;
        }
        try {
            socket.sendBinary(frame, true).join();
        } catch (CompletionException e) {
            // the server closed the connection: the outcome is on its way through exit()
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(t -> null);
        }
        socket.abort();
    }

    private static ConsoleException refusal(Throwable t, String server) {
        if (t instanceof WebSocketHandshakeException h) {
            Object body = h.getResponse().body();
            String text = body instanceof String s ? s : body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : "";
            String message = "the daemon answered " + h.getResponse().statusCode();
            try {
                Status st = Serialization.unmarshal(text, Status.class);
                if (st != null && st.getMessage() != null) {
                    message = st.getMessage();
                }
            } catch (RuntimeException e) {
                // not a Status: the code says enough
            }
            return new ConsoleException(message, t);
        }
        return io.berth.shell.client.Failures.translate(t, server);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Frames from the server, one at a time (the JDK hands them over only as they are requested). */
    private static final class Receiver implements WebSocket.Listener {
        private final OutputStream stdout;
        private final OutputStream stderr;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private Integer status;

        Receiver(OutputStream stdout, OutputStream stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                byte[] frame = partial.toByteArray();
                partial.reset();
                try {
                    frame(frame);
                } catch (IOException e) {
                    // our side of the output is gone (a closed pipe): nothing more to show
                } catch (ConsoleException e) {
                    exit.completeExceptionally(e);
                }
            }
            ws.request(1);
            return null;
        }

        private void frame(byte[] frame) throws IOException {
            if (frame.length == 0) {
                return;
            }
            int channel = frame[0] & 0xff;
            if (channel == STDOUT || channel == STDERR) {
                OutputStream to = channel == STDOUT ? stdout : stderr;
                if (to != null) {
                    to.write(frame, 1, frame.length - 1);
                    to.flush();
                }
            } else if (channel == STATUS) {
                status = outcome(new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8));
            }
        }

        private static int outcome(String json) {
            Status st = Serialization.unmarshal(json, Status.class);
            if (st == null || "Success".equals(st.getStatus())) {
                return 0;
            }
            if ("NonZeroExitCode".equals(st.getReason()) && st.getDetails() != null && st.getDetails().getCauses() != null) {
                for (StatusCause c : st.getDetails().getCauses()) {
                    if ("ExitCode".equals(c.getReason())) {
                        return Integer.parseInt(c.getMessage());
                    }
                }
            }
            throw new ConsoleException(st.getMessage() == null ? "the daemon reported a failure: " + st.getReason() : st.getMessage());
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            exit.complete(status == null ? 0 : status);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            exit.completeExceptionally(new ConsoleException("the connection to the daemon broke: " + error.getMessage(), error));
        }
    }
}
