package io.berth.orchestrator.portforward;

import java.io.IOException;
import java.util.List;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.BinaryWebSocketHandler;

/**
 * The WebSocket side of pods/portforward: kubectl's SPDY/3.1 tunnel (KEP-4006, a {@link SpdyTunnel}
 * per connection), or the kubelet's v4.channel.k8s.io framing that fabric8 speaks (a
 * {@link ChannelTunnel}), as the client asked.
 */
public final class PortForwardHandler extends BinaryWebSocketHandler implements SubProtocolCapable {
    /** kubectl 1.30+ asks for this subprotocol and then speaks SPDY/3 inside binary messages. */
    public static final String SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io";
    private static final String TUNNEL = Tunnel.class.getName();
    /** spdystream writes a frame's payload in one piece of up to 32 KiB; leave room. */
    private static final int MAX_MESSAGE = 1024 * 1024;

    private final PodDialer dialer;

    public PortForwardHandler(PodDialer dialer) {
        this.dialer = dialer;
    }

    @Override
    public List<String> getSubProtocols() {
        return List.of(SPDY_TUNNEL, ChannelTunnel.PROTOCOL);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.setBinaryMessageSizeLimit(MAX_MESSAGE);
        ForwardTarget pod = (ForwardTarget) session.getAttributes().get(ForwardTarget.ATTRIBUTE);
        SessionSink sink = new SessionSink(session);
        Tunnel t = ChannelTunnel.PROTOCOL.equals(session.getAcceptedProtocol()) ? new ChannelTunnel(sink, dialer, pod)
                : new SpdyTunnel(sink, dialer, pod);
        session.getAttributes().put(TUNNEL, t);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        Tunnel t = (Tunnel) session.getAttributes().get(TUNNEL);
        if (t != null) {
            t.received(message.getPayload());
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Tunnel t = (Tunnel) session.getAttributes().remove(TUNNEL);
        if (t != null) {
            t.closed();
        }
    }

    private record SessionSink(WebSocketSession session) implements Tunnel.Sink {
        @Override
        public void send(byte[] message) throws IOException {
            synchronized (session) {
                if (!session.isOpen()) {
                    throw new IOException("the client closed the connection");
                }
                try {
                    session.sendMessage(new BinaryMessage(message));
                } catch (IllegalStateException e) {
                    throw new IOException("the client closed the connection", e);
                }
            }
        }

        @Override
        public void close(String reason) {
            try {
                session.close(reason.isEmpty() ? CloseStatus.NORMAL
                        : CloseStatus.PROTOCOL_ERROR.withReason(reason.length() > 120 ? reason.substring(0, 120) : reason));
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
