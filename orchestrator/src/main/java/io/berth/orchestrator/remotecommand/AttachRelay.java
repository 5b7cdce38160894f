package io.berth.orchestrator.remotecommand;

import io.berth.orchestrator.logs.LogQuery;
import io.berth.orchestrator.logs.LogStream;
import io.berth.orchestrator.monitor.AttachMonitors;
import io.fabric8.kubernetes.api.model.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Function;
import org.springframework.web.socket.WebSocketSession;

/**
 * One attach over one WebSocket. Every run has a {@code berth-monitor} (berth_monitor.c): this
 * relays the channels to its attach socket, framed as [channel][length:4][bytes], and back (stdin
 * only to a container with stdin); the monitor survives daemon restarts, so an attach made by a new
 * daemon finds it by path. A run without one (made before every run had one) has its log file
 * followed from its current end. The attach ends when the container's output does (Success on channel 3) or when the
 * client leaves (a stdinOnce container's stdin is then closed by the monitor).
 */
final class AttachRelay implements Relay {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** The monitor's frame header: channel and a 4-byte big-endian length. */
    private static final int HEADER = 5;
    private static final int HELLO = 5;

    private final ChannelSocket socket;
    private final ExecRequest request;
    private final AttachTarget target;
    private volatile SocketChannel monitor;
    private volatile boolean clientGone;

    AttachRelay(WebSocketSession session, ExecRequest request, AttachTarget target, Function<Status, byte[]> json) {
        this.socket = new ChannelSocket(session, json);
        this.request = request;
        this.target = target;
    }

    @Override
    public void start() throws IOException {
        if (target.socket().isEmpty()) {
            // A run without a monitor (made by a daemon from before every run had one): its log, from its end.
            ChannelSocket.thread("attach-log", this::followLog);
            return;
        }
        try {
            monitor = AttachMonitors.connect(target.socket().get());
            toMonitor(HELLO, new byte[] {(byte) (request.stdin() ? 1 : 0)});
        } catch (IOException e) {
            socket.finish(ChannelSocket.failure("InternalError", "cannot attach to container \"" + request.container()
                    + "\": its monitor does not answer (" + e.getMessage() + ")", null));
            return;
        }
        ChannelSocket.thread("attach-output", this::fromMonitor);
    }

    @Override
    public void stdin(byte[] data) throws IOException {
        if (request.stdin()) {
            toMonitor(Channels.STDIN, data);
        }
    }

    @Override
    public void resize(int rows, int cols) throws IOException {
        toMonitor(Channels.RESIZE, new byte[] {(byte) (rows >> 8), (byte) rows, (byte) (cols >> 8), (byte) cols});
    }

    @Override
    public void closeStdin() throws IOException {
        toMonitor(Channels.CLOSE, new byte[] {Channels.STDIN});
    }

    @Override
    public boolean v5() {
        return socket.v5();
    }

    @Override
    public void clientClosed() {
        clientGone = true;
        closeMonitor();
    }

    /** A frame to the monitor; nothing when there is none (a container without one: its log is followed). */
    private void toMonitor(int channel, byte[] data) throws IOException {
        SocketChannel ch = monitor;
        if (ch == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + data.length).put((byte) channel).putInt(data.length).put(data).flip();
        synchronized (ch) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** The monitor's output frames to the client, until the container's output ends. */
    private void fromMonitor() {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        byte[] buf = new byte[1 + 32 * 1024];
        try {
            while (readFully(header)) {
                header.flip();
                int channel = header.get() & 0xff;
                int n = header.getInt();
                header.clear();
                if (n > buf.length - 1) {
                    buf = new byte[n + 1];
                }
                ByteBuffer data = ByteBuffer.wrap(buf, 1, n);
                if (!readFully(data)) {
                    break;
                }
                boolean wanted = channel == Channels.STDOUT ? request.stdout() : channel == Channels.STDERR && request.stderr();
                if (wanted || (request.tty() && request.stdout())) {
                    socket.send(request.tty() ? Channels.STDOUT : channel, buf, n);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "attach: from the monitor: " + e.getMessage());
        }
        closeMonitor();
        if (!clientGone) {
            socket.finish(ChannelSocket.success());
        }
    }

    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (monitor.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    private void followLog() {
        try {
            LogStream.serve(target.log(), LogQuery.NEW, (b, n) -> {
                if (request.stdout()) {
                    byte[] f = new byte[n + 1];
                    System.arraycopy(b, 0, f, 1, n);
                    socket.send(Channels.STDOUT, f, n);
                }
            }, () -> !clientGone && target.running().getAsBoolean());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "attach: following " + target.log() + ": " + e.getMessage());
        }
        if (!clientGone) {
            socket.finish(ChannelSocket.success());
        }
    }

    private void closeMonitor() {
        SocketChannel ch = monitor;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "attach: closing the monitor socket: " + e.getMessage());
            }
        }
    }
}
