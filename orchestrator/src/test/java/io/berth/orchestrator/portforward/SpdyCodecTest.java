package io.berth.orchestrator.portforward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The SPDY/3 codec on its own: header blocks survive a connection's shared compression contexts
 * across frames, frames cut into arbitrary pieces (as spdystream writes them) come out whole, and
 * broken input is refused. kubectl itself drives it in PortForwardTest.
 */
class SpdyCodecTest {

    @Test
    void headerBlocksAcrossFramesAndPieces() throws Exception {
        SpdyCodec client = new SpdyCodec();
        SpdyCodec server = new SpdyCodec();
        try {
            ByteBuffer wire = ByteBuffer.allocate(4096);
            wire.put(client.synStream(1, Map.of("streamType", "error", "port", "8080", "requestID", "0"), false));
            wire.put(client.synStream(3, Map.of("streamType", "data", "port", "8080", "requestID", "0"), false));
            wire.put(SpdyCodec.data(3, SpdyCodec.FLAG_FIN, "hello".getBytes(), 0, 5));
            wire.put(client.ping(7));
            wire.flip();
            List<SpdyCodec.Frame> frames = new ArrayList<>();
            while (wire.hasRemaining()) { // three bytes at a time
                int n = Math.min(3, wire.remaining());
                frames.addAll(server.feed(wire.slice(wire.position(), n)));
                wire.position(wire.position() + n);
            }
            assertThat(frames).hasSize(4);
            assertThat(frames.get(0).type()).isEqualTo(SpdyCodec.SYN_STREAM);
            assertThat(frames.get(0).headers()).containsEntry("streamtype", "error").containsEntry("port", "8080").containsEntry("requestid", "0");
            assertThat(frames.get(1).streamId()).isEqualTo(3);
            assertThat(frames.get(1).headers()).containsEntry("streamtype", "data");
            assertThat(frames.get(2).type()).isZero();
            assertThat(frames.get(2).fin()).isTrue();
            assertThat(new String(frames.get(2).data())).isEqualTo("hello");
            assertThat(frames.get(3).type()).isEqualTo(SpdyCodec.PING);
            assertThat(frames.get(3).value()).isEqualTo(7);
        } finally {
            client.close();
            server.close();
        }
    }

    @Test
    void theDictionaryIsSpdy3s() throws Exception {
        // a SYN_REPLY's header block names the SPDY/3 dictionary by its Adler-32, as the draft defines it
        SpdyCodec c = new SpdyCodec();
        byte[] reply = c.synReply(1);
        Inflater i = new Inflater();
        i.setInput(reply, 12, reply.length - 12);
        assertThat(i.inflate(new byte[16])).isZero();
        assertThat(i.needsDictionary()).isTrue();
        assertThat(Integer.toHexString(i.getAdler())).isEqualTo("e3c6a7c2");
        i.end();
        c.close();
    }

    @Test
    void brokenInputIsRefused() {
        SpdyCodec c = new SpdyCodec();
        try {
            ByteBuffer v2 = ByteBuffer.allocate(16).putShort((short) 0x8002).putShort((short) 1).putInt(8).putInt(1).putInt(0).flip();
            assertThatThrownBy(() -> c.feed(v2)).hasMessageContaining("SPDY version 2 is not spoken here");
            SpdyCodec d = new SpdyCodec();
            ByteBuffer garbage = ByteBuffer.allocate(22).putShort((short) 0x8003).putShort((short) 1).putInt(14)
                    .putInt(1).putInt(0).putShort((short) 0).putInt(0x01020304).flip();
            assertThatThrownBy(() -> d.feed(garbage)).hasMessageContaining("SPDY header block");
            d.close();
        } finally {
            c.close();
        }
    }
}
