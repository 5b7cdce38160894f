package io.berth.orchestrator.portforward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of port-forward over SPDY/3 (portforward.k8s.io), as kubectl speaks it inside a
 * WebSocket: for each local connection the client opens an error stream and a data stream that
 * share a {@code requestID} header and name the {@code port}; once both are there this dials the
 * pod's port and copies. A failure goes to that pair's error stream as text (kubectl prints it as
 * "an error occurred forwarding L -> R: ...") and touches no other pair.
 *
 * <p>Flow control: spdystream (kubectl's SPDY) neither sends WINDOW_UPDATE nor honours it, so this
 * side never waits for window either, or every transfer past 64 KiB would stall; it does send
 * WINDOW_UPDATE for what it consumed (per stream and, as SPDY/3.1 has it, for the session) so a
 * peer that keeps windows stays unblocked too. TCP behind the WebSocket is the real back-pressure.
 */
public final class SpdyTunnel implements Tunnel {
    /** Acknowledge consumed bytes in batches, well before a 64 KiB initial window runs out. */
    private static final int WINDOW_BATCH = 32 * 1024;

    private final SpdyCodec codec = new SpdyCodec();
    private final Sink sink;
    private final PodDialer dialer;
    private final ForwardTarget pod;
    /** Receiving side only (one thread at a time delivers messages). */
    private final Map<String, Pair> byRequest = new HashMap<>();
    private final Map<Integer, Pair> byStream = new ConcurrentHashMap<>();
    private int unacknowledged;
    private int lastStream;
    private volatile boolean closed;

    SpdyTunnel(Sink sink, PodDialer dialer, ForwardTarget pod) {
        this.sink = sink;
        this.dialer = dialer;
        this.pod = pod;
    }

    /** Bytes from the client: any number of whole or partial frames. */
    @Override
    public void received(ByteBuffer bytes) {
        try {
            for (SpdyCodec.Frame f : codec.feed(bytes)) {
                frame(f);
            }
        } catch (SpdyCodec.SpdyException e) {
            send(codec.goAway(lastStream));
            sink.close(e.getMessage());
        }
    }

    private void frame(SpdyCodec.Frame f) {
        switch (f.type()) {
            case 0 -> data(f);
            case SpdyCodec.SYN_STREAM -> synStream(f);
            case SpdyCodec.RST_STREAM -> {
                Pair p = byStream.get(f.streamId());
                if (p != null) {
                    p.end();
                }
            }
            case SpdyCodec.PING -> send(codec.ping(f.value()));
            case SpdyCodec.GOAWAY -> sink.close("client sent GOAWAY");
            default -> {
                // SETTINGS, WINDOW_UPDATE, HEADERS: nothing in port-forward depends on them (see the class comment on windows)
            }
        }
    }

    private void synStream(SpdyCodec.Frame f) {
        int id = f.streamId();
        lastStream = Math.max(lastStream, id);
        String type = f.headers().get("streamtype");
        String portHeader = f.headers().get("port");
        String request = f.headers().getOrDefault("requestid", "");
        int port;
        try {
            port = Integer.parseInt(portHeader == null ? "" : portHeader);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (!"data".equals(type) && !"error".equals(type) || port < 1 || port > 65535 || byStream.containsKey(id)) {
            // the kubelet resets a stream it cannot place
            send(codec.rstStream(id, SpdyCodec.PROTOCOL_ERROR));
            return;
        }
        send(codec.synReply(id));
        int forwarded = port;
        Pair p = byRequest.computeIfAbsent(request + "/" + port, r -> new Pair(request, forwarded));
        if ("data".equals(type)) {
            p.dataStream = id;
        } else {
            p.errorStream = id;
        }
        byStream.put(id, p);
        if (f.fin()) {
            p.clientFin(id);
        }
        if (p.dataStream != 0 && p.errorStream != 0) {
            byRequest.remove(p.key());
            p.start();
        }
    }

    private void data(SpdyCodec.Frame f) {
        Pair p = byStream.get(f.streamId());
        if (f.data().length > 0) {
            acknowledge(f.streamId(), f.data().length);
        }
        if (p == null) {
            return; // a stream already ended: what was in flight is dropped, as in spdystream
        }
        if (f.streamId() == p.dataStream && f.data().length > 0) {
            try {
                p.connection.write(f.data());
            } catch (IOException e) {
                p.failed(e.getMessage());
            }
        }
        if (f.fin()) {
            p.clientFin(f.streamId());
        }
    }

    private void acknowledge(int stream, int n) {
        unacknowledged += n;
        if (unacknowledged >= WINDOW_BATCH) {
            send(codec.windowUpdate(0, unacknowledged));
            send(codec.windowUpdate(stream, unacknowledged));
            unacknowledged = 0;
        }
    }

    private void send(byte[] frame) {
        if (!closed) {
            sink.sendOrClose(frame);
        }
    }

    @Override
    public void closed() {
        closed = true;
        for (Pair p : byStream.values()) {
            p.connection.close();
        }
        byStream.clear();
        byRequest.clear();
        codec.close();
    }

    /** The two streams of one forwarded connection. */
    private final class Pair implements PodConnection.Peer {
        final String request;
        final int port;
        final PodConnection connection;
        volatile int dataStream;
        volatile int errorStream;
        private boolean ended;

        Pair(String request, int port) {
            this.request = request;
            this.port = port;
            this.connection = new PodConnection(dialer, pod, port, this);
        }

        String key() {
            return request + "/" + port;
        }

        void start() {
            connection.start("portforward-" + pod.name() + "-" + port + "-" + request);
        }

        void clientFin(int stream) {
            if (stream == dataStream) {
                connection.finishWriting();
            }
        }

        @Override
        public void data(byte[] b, int off, int len) {
            send(SpdyCodec.data(dataStream, 0, b, off, len));
        }

        @Override
        public void podClosed() {
            end();
        }

        @Override
        public void failed(String message) {
            synchronized (this) {
                if (ended) {
                    return;
                }
            }
            byte[] m = message.getBytes(StandardCharsets.UTF_8);
            send(SpdyCodec.data(errorStream, 0, m, 0, m.length));
            end();
        }

        /** Half-closes both streams (kubectl then lets its local connection go) and forgets them. */
        void end() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            connection.close();
            byStream.remove(dataStream);
            byStream.remove(errorStream);
            send(SpdyCodec.data(dataStream, SpdyCodec.FLAG_FIN, new byte[0], 0, 0));
            send(SpdyCodec.data(errorStream, SpdyCodec.FLAG_FIN, new byte[0], 0, 0));
        }
    }
}
