package io.berth.orchestrator.remotecommand;

import java.io.IOException;
import java.nio.ByteBuffer;

/** What one remote-command connection does with the client's frames: an exec or an attach. */
interface Relay {
    void start() throws IOException;

    /** A frame from the client: its channel byte, then the data. */
    void received(ByteBuffer frame);

    /** The client went away. */
    void clientClosed();
}
