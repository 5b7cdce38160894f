package io.berth.orchestrator.portforward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * One forwarded TCP connection to a pod's port, whatever the tunnel's framing: its own thread dials
 * (in the pod's network namespace) and then copies what the pod sends to the {@link Peer}; what the
 * client sends is written from the tunnel's receiving thread, so a pod that reads slowly holds the
 * client back through TCP (kubectl's SPDY client has no flow control of its own to slow it).
 * Half-close works both ways: the client's end of data shuts the socket's output, and the pod's
 * end of data ends the connection, as it does in containerd (kubectl waits for that before it lets
 * its local connection go).
 */
final class PodConnection {
    /** Data the client sends before the dial completes waits here, up to this much. */
    private static final int MAX_PENDING = 4 << 20;
    static final int CHUNK = 32 * 1024;

    interface Peer {
        void data(byte[] b, int off, int len) throws IOException;

        /** The pod closed its side; the connection is over. */
        void podClosed();

        /** The dial or the copy failed; {@code message} goes to the client. */
        void failed(String message);
    }

    private final PodDialer dialer;
    private final ForwardTarget pod;
    private final int port;
    private final Peer peer;
    private final Object lock = new Object();
    private ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean finPending;
    private Socket socket;
    private boolean closed;

    PodConnection(PodDialer dialer, ForwardTarget pod, int port, Peer peer) {
        this.dialer = dialer;
        this.pod = pod;
        this.port = port;
        this.peer = peer;
    }

    void start(String threadName) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        Socket s;
        try {
            s = dialer.dial(pod, port);
        } catch (IOException e) {
            close();
            peer.failed("error forwarding port " + port + " to pod " + pod.name() + ", uid " + pod.uid() + ": " + e.getMessage());
            return;
        }
        try {
            synchronized (lock) {
                if (closed) {
                    s.close();
                    return;
                }
                socket = s;
                s.getOutputStream().write(pending.toByteArray());
                pending = null;
                if (finPending) {
                    s.shutdownOutput();
                }
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.read(buf)) > 0) {
                peer.data(buf, 0, n);
            }
            close();
            peer.podClosed();
        } catch (IOException e) {
            boolean wasClosed;
            synchronized (lock) {
                wasClosed = closed;
            }
            close();
            if (!wasClosed) {
                peer.failed("error forwarding port " + port + " to pod " + pod.name() + ", uid " + pod.uid() + ": " + e.getMessage());
            }
        }
    }

    /** Bytes from the client, in order. */
    void write(byte[] b) throws IOException {
        Socket s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (socket == null) {
                if (pending.size() + b.length > MAX_PENDING) {
                    throw new IOException("more than " + MAX_PENDING + " bytes sent before the pod's port answered");
                }
                pending.writeBytes(b);
                return;
            }
            s = socket;
        }
        s.getOutputStream().write(b);
    }

    /** The client will send no more. */
    void finishWriting() {
        synchronized (lock) {
            if (socket == null) {
                finPending = true;
                return;
            }
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // the socket is gone already; its reader reports that
            }
        }
    }

    /** Ends the connection at once (client reset, tunnel gone); the reading thread then ends. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing is all that is wanted
                }
            }
        }
    }
}
