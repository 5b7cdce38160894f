package io.berth.orchestrator.portforward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * SPDY/3 framing as Go's spdystream (and so kubectl) speaks it: the frame layout of the SPDY draft 3
 * (control frames: version 3, a type, flags, a 24-bit length; data frames: a stream id, flags, a
 * length), and name/value header blocks compressed with zlib primed with the SPDY/3 dictionary.
 * The compression contexts live as long as the connection, one per direction, so one codec serves
 * one connection. Written by hand rather than with Netty's SPDY codec: the daemon's WebSocket runs
 * on Tomcat, so Netty's would need an EmbeddedChannel and its buffers around a format of nine
 * fixed frame layouts.
 *
 * <p>Bytes arrive in arbitrary pieces (spdystream writes a frame field by field, and each write
 * becomes its own WebSocket message): {@link #feed} buffers until whole frames are there.
 */
public final class SpdyCodec {
    static final int VERSION = 3;
    public static final int SYN_STREAM = 1;
    public static final int SYN_REPLY = 2;
    public static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    public static final int PING = 6;
    static final int GOAWAY = 7;
    static final int HEADERS = 8;
    static final int WINDOW_UPDATE = 9;
    public static final int FLAG_FIN = 0x01;
    /** RST_STREAM status codes used here. */
    static final int PROTOCOL_ERROR = 1;
    static final int REFUSED_STREAM = 3;
    static final int CANCEL = 5;
    /** A frame's length field has 24 bits; anything near that from a peer is hostile. */
    static final int MAX_FRAME = 1 << 24;

    private static final byte[] DICTIONARY = dictionary();

    /** One decoded frame. {@code type} is 0 for DATA; control frame fields are parsed into the other members. */
    public record Frame(int type, int flags, int streamId, Map<String, String> headers, byte[] data, long value) {
        public boolean fin() {
            return (flags & FLAG_FIN) != 0;
        }
    }

    private final Inflater inflater = new Inflater();
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    private ByteBuffer pending = ByteBuffer.allocate(0);

    public SpdyCodec() {
        deflater.setDictionary(DICTIONARY);
    }

    /** Adds received bytes and returns the frames they complete, in order. */
    public List<Frame> feed(ByteBuffer bytes) throws SpdyException {
        ByteBuffer all = ByteBuffer.allocate(pending.remaining() + bytes.remaining());
        all.put(pending).put(bytes).flip();
        List<Frame> out = new ArrayList<>();
        while (all.remaining() >= 8) {
            int start = all.position();
            int w0 = all.getInt(start);
            int w1 = all.getInt(start + 4);
            int flags = (w1 >>> 24) & 0xff;
            int length = w1 & 0xffffff;
            if (all.remaining() < 8 + length) {
                break;
            }
            ByteBuffer body = all.slice(start + 8, length);
            all.position(start + 8 + length);
            if (w0 >= 0) {
                byte[] data = new byte[length];
                body.get(data);
                out.add(new Frame(0, flags, w0 & 0x7fffffff, Map.of(), data, 0));
            } else {
                out.add(control((w0 >>> 16) & 0x7fff, w0 & 0xffff, flags, body));
            }
        }
        pending = ByteBuffer.allocate(all.remaining()).put(all).flip();
        return out;
    }

    private Frame control(int version, int type, int flags, ByteBuffer b) throws SpdyException {
        if (version != VERSION) {
            throw new SpdyException("SPDY version " + version + " is not spoken here (only 3)");
        }
        try {
            return switch (type) {
                case SYN_STREAM -> {
                    int id = b.getInt() & 0x7fffffff;
                    b.getInt(); // associated stream: unused by port-forward
                    b.getShort(); // priority and slot
                    yield new Frame(type, flags, id, headers(b), null, 0);
                }
                case SYN_REPLY, HEADERS -> new Frame(type, flags, b.getInt() & 0x7fffffff, headers(b), null, 0);
                case RST_STREAM, WINDOW_UPDATE -> new Frame(type, flags, b.getInt() & 0x7fffffff, Map.of(), null, b.getInt() & 0xffffffffL);
                case PING -> new Frame(type, flags, 0, Map.of(), null, b.getInt() & 0xffffffffL);
                case GOAWAY -> new Frame(type, flags, b.getInt() & 0x7fffffff, Map.of(), null, b.remaining() >= 4 ? b.getInt() : 0);
                default -> new Frame(type, flags, 0, Map.of(), null, 0); // SETTINGS and unknown types: nothing here acts on them
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new SpdyException("SPDY control frame of type " + type + " is too short");
        }
    }

    /** A header block: a count, then length-prefixed names and values, all zlib-compressed in one stream per connection. */
    private Map<String, String> headers(ByteBuffer compressed) throws SpdyException {
        byte[] in = new byte[compressed.remaining()];
        compressed.get(in);
        inflater.setInput(in);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = inflater.inflate(buf);
                if (n > 0) {
                    plain.write(buf, 0, n);
                    if (plain.size() > MAX_FRAME) {
                        throw new SpdyException("SPDY header block is larger than " + MAX_FRAME + " bytes");
                    }
                } else if (inflater.needsDictionary()) {
                    inflater.setDictionary(DICTIONARY);
                } else if (inflater.needsInput() || inflater.finished()) {
                    break;
                }
            }
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new SpdyException("SPDY header block does not decompress: " + e.getMessage());
        }
        ByteBuffer b = ByteBuffer.wrap(plain.toByteArray());
        Map<String, String> h = new LinkedHashMap<>();
        try {
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                String name = string(b);
                h.put(name.toLowerCase(java.util.Locale.ROOT), string(b));
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new SpdyException("SPDY header block is malformed");
        }
        return h;
    }

    private static String string(ByteBuffer b) {
        int len = b.getInt();
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    public byte[] synReply(int streamId) {
        return control(SYN_REPLY, 0, ByteBuffer.allocate(4).putInt(streamId).array(), headerBlock(Map.of()));
    }

    public byte[] rstStream(int streamId, int status) {
        return control(RST_STREAM, 0, ByteBuffer.allocate(8).putInt(streamId).putInt(status).array(), new byte[0]);
    }

    public byte[] ping(long id) {
        return control(PING, 0, ByteBuffer.allocate(4).putInt((int) id).array(), new byte[0]);
    }

    public byte[] goAway(int lastStreamId) {
        return control(GOAWAY, 0, ByteBuffer.allocate(8).putInt(lastStreamId).putInt(0).array(), new byte[0]);
    }

    public byte[] windowUpdate(int streamId, int delta) {
        return control(WINDOW_UPDATE, 0, ByteBuffer.allocate(8).putInt(streamId).putInt(delta).array(), new byte[0]);
    }

    /** Used by tests and by a client side: a SYN_STREAM with the given headers. */
    public byte[] synStream(int streamId, Map<String, String> headers, boolean fin) {
        return control(SYN_STREAM, fin ? FLAG_FIN : 0, ByteBuffer.allocate(10).putInt(streamId).putInt(0).putShort((short) 0).array(),
                headerBlock(headers));
    }

    public static byte[] data(int streamId, int flags, byte[] data, int off, int len) {
        return ByteBuffer.allocate(8 + len).putInt(streamId & 0x7fffffff).putInt((flags << 24) | len).put(data, off, len).array();
    }

    private static byte[] control(int type, int flags, byte[] fields, byte[] block) {
        return ByteBuffer.allocate(8 + fields.length + block.length).putShort((short) (0x8000 | VERSION)).putShort((short) type)
                .putInt((flags << 24) | (fields.length + block.length)).put(fields).put(block).array();
    }

    /** Header blocks share one compression stream: each ends with a sync flush so the peer can decode it at once. */
    private synchronized byte[] headerBlock(Map<String, String> headers) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ByteBuffer n = ByteBuffer.allocate(4).putInt(headers.size());
        plain.writeBytes(n.array());
        for (Map.Entry<String, String> e : headers.entrySet()) {
            for (String s : new String[] {e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()}) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                plain.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
                plain.writeBytes(bytes);
            }
        }
        deflater.setInput(plain.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int got;
        do {
            got = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, got);
        } while (got == buf.length || !deflater.needsInput());
        return out.toByteArray();
    }

    /** Frees the zlib contexts (native memory). */
    public void close() {
        inflater.end();
        deflater.end();
    }

    private static byte[] dictionary() {
        try (InputStream in = SpdyCodec.class.getResourceAsStream("spdy3-dictionary.bin")) {
            if (in == null) {
                throw new IllegalStateException("spdy3-dictionary.bin is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The peer broke the protocol; the connection cannot continue. */
    public static final class SpdyException extends Exception {
        private static final long serialVersionUID = 1L;

        SpdyException(String message) {
            super(message);
        }
    }
}
