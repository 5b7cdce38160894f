package io.berth.orchestrator.remotecommand;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.TerminalMaster;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One exec over one WebSocket: starts the process through the node side, copies its output to
 * channels 1 and 2 (the pty's to 1), channel 0 to its stdin, channel 4 to the pty's size, and
 * when it has exited and its output is drained, sends the outcome on channel 3 and closes.
 */
final class ExecRelay {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** How long output may still drain after the process exited (a background child can hold the pipe). */
    private static final long DRAIN_MILLIS = 2000;

    private final WebSocketSession session;
    private final ExecRequest request;
    private final Function<Status, byte[]> json;
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final boolean v5;
    // Set on the connection's thread before any frame is read; read again on the exit's thread.
    private volatile ExecProcess process;
    private volatile TerminalMaster terminal;
    private volatile OutputStream stdin;
    private final List<Thread> pumps = new ArrayList<>();
    private volatile boolean finished;

    ExecRelay(WebSocketSession session, ExecRequest request, Function<Status, byte[]> json) {
        this.session = session;
        this.request = request;
        this.json = json;
        this.v5 = Channels.V5.equals(session.getAcceptedProtocol());
    }

    void start(PodRuntime runtime) throws IOException {
        ContainerIo io;
        ContainerIo.Input.Pipe in = null;
        ContainerIo.Output.Pipe out = null;
        ContainerIo.Output.Pipe err = null;
        if (request.tty()) {
            io = ContainerIo.terminal();
        } else {
            in = request.stdin() ? ContainerIo.Input.pipe() : null;
            out = request.stdout() ? ContainerIo.Output.pipe() : null;
            err = request.stderr() ? ContainerIo.Output.pipe() : null;
            io = ContainerIo.of(in != null ? in : ContainerIo.Input.devNull(), out != null ? out : ContainerIo.Output.devNull(),
                    err != null ? err : ContainerIo.Output.devNull());
        }
        try {
            process = runtime.exec(request.podUid(), request.container(), request.command(), request.tty(), io);
        } catch (RuntimeException e) {
            finish(failure("InternalError", "failed to exec in container \"" + request.container() + "\": " + e.getMessage(), null));
            return;
        }
        if (request.tty()) {
            terminal = process.terminal().orElseThrow();
            stdin = request.stdin() ? terminal.output() : null;
            pump(terminal.input(), Channels.STDOUT);
        } else {
            stdin = in != null ? in.stream() : null;
            if (out != null) {
                pump(out.stream(), Channels.STDOUT);
            }
            if (err != null) {
                pump(err.stream(), Channels.STDERR);
            }
        }
        process.onExit().whenComplete((r, t) -> thread("exec-wait", () -> exited(r, t)));
    }

    /** A frame from the client. */
    void received(ByteBuffer frame) {
        if (!frame.hasRemaining()) {
            return;
        }
        int channel = frame.get() & 0xff;
        byte[] data = new byte[frame.remaining()];
        frame.get(data);
        try {
            switch (channel) {
                case Channels.STDIN -> {
                    OutputStream in = stdin; // null once closed
                    if (in != null && data.length > 0) {
                        in.write(data);
                        in.flush();
                    }
                }
                case Channels.RESIZE -> resize(data);
                case Channels.CLOSE -> {
                    if (v5 && data.length > 0 && data[0] == Channels.STDIN) {
                        closeStdin();
                    }
                }
                default -> LOG.log(System.Logger.Level.DEBUG, "exec: ignored a frame on channel " + channel);
            }
        } catch (IOException e) {
            // The process closed its stdin or exited: what it did not read is lost, as with a pipe.
            LOG.log(System.Logger.Level.DEBUG, "exec: stdin: " + e.getMessage());
        }
    }

    /** The client went away: a process still running loses its terminal or stdin, and is killed. */
    void clientClosed() {
        closeStdin();
        if (process != null && !finished) {
            try {
                process.kill(request.tty() ? Signals.SIGHUP : Signals.SIGKILL);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "exec: kill after the client left: " + e.getMessage());
            }
        }
    }

    private void resize(byte[] data) {
        if (terminal == null) {
            return;
        }
        try {
            JsonNode size = mapper.readTree(data);
            terminal.resize(size.path("Height").asInt(), size.path("Width").asInt());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "exec: bad resize " + new String(data) + ": " + e.getMessage());
        }
    }

    private synchronized void closeStdin() {
        if (stdin != null && terminal == null) {
            try {
                stdin.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "exec: close stdin: " + e.getMessage());
            }
        }
        if (terminal == null) {
            stdin = null;
        }
    }

    private void pump(InputStream from, int channel) {
        Thread t = thread("exec-" + (channel == Channels.STDOUT ? "stdout" : "stderr"), () -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = from.read(buf, 1, buf.length - 1)) > 0) {
                    buf[0] = (byte) channel;
                    send(ByteBuffer.wrap(buf, 0, n + 1));
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "exec: output: " + e.getMessage());
            }
        });
        pumps.add(t);
    }

    private void exited(ExitResult r, Throwable t) {
        for (Thread p : pumps) {
            try {
                p.join(DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Status status;
        if (t != null) {
            status = failure("InternalError", "error waiting for the command: " + t.getMessage(), null);
        } else if (r.exitCode() == 0) {
            status = new StatusBuilder().withNewMetadata().endMetadata().withStatus("Success").build();
        } else {
            status = failure("NonZeroExitCode", "command terminated with non-zero exit code: error executing command "
                    + request.command() + ", exit code " + r.exitCode(), Integer.toString(r.exitCode() & 0xff));
        }
        finish(status);
    }

    private void finish(Status status) {
        finished = true;
        byte[] body = json.apply(status);
        ByteBuffer frame = ByteBuffer.allocate(body.length + 1).put((byte) Channels.STATUS).put(body).flip();
        try {
            send(frame);
            session.close(CloseStatus.NORMAL);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "exec: closing: " + e.getMessage());
        } finally {
            closeStdin();
            if (process != null) {
                process.close();
            }
            if (terminal != null) {
                for (Thread p : pumps) {
                    try {
                        p.join(TimeUnit.SECONDS.toMillis(1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                terminal.close();
            }
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

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Status failure(String reason, String message, String exitCode) {
        StatusBuilder b = new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withReason(reason).withMessage(message);
        if (exitCode != null) {
            b.withNewDetails().addNewCause().withReason("ExitCode").withMessage(exitCode).endCause().endDetails();
        }
        return b.build();
    }
}
