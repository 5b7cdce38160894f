package io.berth.orchestrator.portforward;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One port-forward WebSocket, whichever framing it speaks. */
interface Tunnel {
    /** Where messages go, one WebSocket binary message each; safe to call from several threads. */
    interface Sink {
        void send(byte[] message) throws IOException;

        void close(String reason);

        /** Sends, or ends the WebSocket when the client can no longer be written to. */
        default void sendOrClose(byte[] message) {
            try {
                send(message);
            } catch (IOException e) {
                close("cannot write to the client: " + e.getMessage());
            }
        }
    }

    void received(ByteBuffer message);

    /** The WebSocket is gone: every pod connection ends, and their threads with them. */
    void closed();
}
