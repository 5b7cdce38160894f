package io.berth.orchestrator.remotecommand;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What one remote-command connection does with the client's frames: an exec or an attach. The
 * channel protocol is read here, once ({@link #received}); each relay says what stdin, a resize
 * and the end of stdin mean for it.
 */
interface Relay {
    System.Logger LOG = System.getLogger("io.berth.orchestrator");

    void start() throws IOException;

    /** Bytes for the process's stdin (channel 0), never empty. */
    void stdin(byte[] data) throws IOException;

    /** The client's terminal size (channel 4). */
    void resize(int rows, int cols) throws IOException;

    /** The client has no more stdin (v5's close frame naming channel 0; v4 cannot say it). */
    void closeStdin() throws IOException;

    /** The protocol the client chose is v5 (only it has close frames). */
    boolean v5();

    /** The client went away. */
    void clientClosed();

    /** A frame from the client: its channel byte, then the data. */
    default void received(ByteBuffer frame) {
        if (!frame.hasRemaining()) {
            return;
        }
        int channel = frame.get() & 0xff;
        byte[] data = new byte[frame.remaining()];
        frame.get(data);
        try {
            switch (channel) {
                case Channels.STDIN -> {
                    if (data.length > 0) {
                        stdin(data);
                    }
                }
                case Channels.RESIZE -> {
                    int[] size = ChannelSocket.size(data);
                    if (size != null) {
                        resize(size[0], size[1]);
                    }
                }
                case Channels.CLOSE -> {
                    if (v5() && data.length > 0 && data[0] == Channels.STDIN) {
                        closeStdin();
                    }
                }
                default -> LOG.log(System.Logger.Level.DEBUG, "remotecommand: ignored a frame on channel " + channel);
            }
        } catch (IOException e) {
            // The process closed its stdin or exited (or its monitor went): what it did not read is
            // lost, as with a pipe.
            LOG.log(System.Logger.Level.DEBUG, "remotecommand: to the process: " + e.getMessage());
        }
    }
}
