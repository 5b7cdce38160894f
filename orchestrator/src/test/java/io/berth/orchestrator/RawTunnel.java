package io.berth.orchestrator;

import io.berth.orchestrator.portforward.SpdyCodec;
import io.berth.orchestrator.security.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * A minimal WebSocket client for the tests, speaking SPDY/3 through {@link SpdyCodec} as kubectl
 * does, but one that keeps the tunnel after an error (kubectl 1.32 closes it), so the daemon's own
 * behaviour can be seen. Written by hand because the JDK's WebSocket client refuses the
 * subprotocol name ('/' is not a token character).
 */
final class RawTunnel implements AutoCloseable {
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    final String body;
    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final SpdyCodec codec = new SpdyCodec();
    private final Deque<SpdyCodec.Frame> frames = new ArrayDeque<>();

    RawTunnel(DaemonFixture d, String path) throws Exception {
        socket = (SSLSocket) CertificateAuthority.trustingOnly(d.root.caCertificate()).getSocketFactory().createSocket("127.0.0.1", d.port);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + d.port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\nAuthorization: Bearer " + d.token + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String statusLine = line();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String h;
        while (!(h = line()).isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), h.substring(colon + 1).trim());
        }
        if (status != 101) {
            int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] b = new byte[len];
            in.readFully(b);
            body = new String(b, StandardCharsets.UTF_8);
        } else {
            body = "";
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** One binary message, masked as a client must (with a zero mask, which leaves the bytes as they are). */
    void send(byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x82);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 127);
            f.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        f.writeBytes(new byte[4]);
        f.writeBytes(payload);
        out.write(f.toByteArray());
        out.flush();
    }

    /** The next SPDY frame from the daemon; null once the WebSocket is closed. */
    SpdyCodec.Frame next() throws Exception {
        while (frames.isEmpty()) {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.read();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            if ((b0 & 0x0f) == 8) {
                return null;
            }
            if ((b0 & 0x0f) == 2 || (b0 & 0x0f) == 0) {
                frames.addAll(codec.feed(ByteBuffer.wrap(payload)));
            }
        }
        return frames.poll();
    }

    @Override
    public void close() throws IOException {
        codec.close();
        socket.close();
    }
}
