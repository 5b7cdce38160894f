package io.berth.orchestrator.remotecommand;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.fabric8.kubernetes.api.model.Status;
import java.util.List;
import java.util.function.Function;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.BinaryWebSocketHandler;

/**
 * The WebSocket side of pods/exec and pods/attach: one {@link ExecRelay} or {@link AttachRelay} per
 * connection (an attach is a request with no command), made once the upgrade is accepted.
 */
public final class ExecHandler extends BinaryWebSocketHandler implements SubProtocolCapable {
    private static final String RELAY = Relay.class.getName();
    /** Client stdin arrives in frames of up to 32 KiB (client-go's buffer); leave room. */
    private static final int MAX_FRAME = 1024 * 1024;

    private final PodRuntime runtime;
    private final Function<Status, byte[]> json;

    public ExecHandler(PodRuntime runtime, Function<Status, byte[]> json) {
        this.runtime = runtime;
        this.json = json;
    }

    @Override
    public List<String> getSubProtocols() {
        return Channels.PROTOCOLS;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        session.setBinaryMessageSizeLimit(MAX_FRAME);
        ExecRequest request = (ExecRequest) session.getAttributes().get(ExecRequest.ATTRIBUTE);
        AttachTarget attach = (AttachTarget) session.getAttributes().get(AttachTarget.ATTRIBUTE);
        Relay relay = attach != null ? new AttachRelay(session, request, attach, json) : new ExecRelay(session, request, runtime, json);
        session.getAttributes().put(RELAY, relay);
        relay.start();
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        Relay relay = (Relay) session.getAttributes().get(RELAY);
        if (relay != null) {
            relay.received(message.getPayload());
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Relay relay = (Relay) session.getAttributes().get(RELAY);
        if (relay != null) {
            relay.clientClosed();
        }
    }
}
