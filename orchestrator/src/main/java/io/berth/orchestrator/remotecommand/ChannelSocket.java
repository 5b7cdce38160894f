package io.berth.orchestrator.remotecommand;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's side of one remote-command WebSocket, shared by exec and attach: frames on the
 * {@link Channels}, the outcome once on channel 3, then the close.
 */
final class ChannelSocket {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final WebSocketSession session;
    private final Function<Status, byte[]> json;
    private final boolean v5;

    ChannelSocket(WebSocketSession session, Function<Status, byte[]> json) {
        this.session = session;
        this.json = json;
        this.v5 = Channels.V5.equals(session.getAcceptedProtocol());
    }

    /** Whether the client speaks v5, whose {@link Channels#CLOSE} can end stdin. */
    boolean v5() {
        return v5;
    }

    /** {@code n} bytes of {@code buf} from offset 1 on, whose byte 0 this sets to {@code channel}. */
    void send(int channel, byte[] buf, int n) throws IOException {
        buf[0] = (byte) channel;
        send(ByteBuffer.wrap(buf, 0, n + 1));
    }

    /** Sends the outcome on channel 3 and closes the connection. */
    void finish(Status status) {
        byte[] body = json.apply(status);
        ByteBuffer frame = ByteBuffer.allocate(body.length + 1).put((byte) Channels.STATUS).put(body).flip();
        try {
            send(frame);
            session.close(CloseStatus.NORMAL);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "remotecommand: closing: " + e.getMessage());
        }
    }

    private void send(ByteBuffer frame) throws IOException {
        synchronized (session) {
            if (session.isOpen()) {
                try {
                    session.sendMessage(new BinaryMessage(frame, true));
                } catch (IllegalStateException e) {
                    throw new IOException("the client closed the connection", e); // closed between the check and the send
                }
            }
        }
    }

    static Status success() {
        return new StatusBuilder().withNewMetadata().endMetadata().withStatus("Success").build();
    }

    static Status failure(String reason, String message, String exitCode) {
        StatusBuilder b = new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withReason(reason).withMessage(message);
        if (exitCode != null) {
            b.withNewDetails().addNewCause().withReason("ExitCode").withMessage(exitCode).endCause().endDetails();
        }
        return b.build();
    }

    /** A resize frame's {"Width":cols,"Height":rows} as {rows, cols}; null if it is not one. */
    static int[] size(byte[] data) {
        try {
            JsonNode size = MAPPER.readTree(data);
            return new int[] {size.path("Height").asInt(), size.path("Width").asInt()};
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "remotecommand: bad resize " + new String(data) + ": " + e.getMessage());
            return null;
        }
    }

    static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
