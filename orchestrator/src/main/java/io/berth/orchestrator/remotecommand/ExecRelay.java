package io.berth.orchestrator.remotecommand;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.TerminalMaster;
import io.fabric8.kubernetes.api.model.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.web.socket.WebSocketSession;

/**
 * One exec over one WebSocket: starts the process through the node side, copies its output to
 * channels 1 and 2 (the pty's to 1), channel 0 to its stdin, channel 4 to the pty's size, and
 * when it has exited and its output is drained, sends the outcome on channel 3 and closes.
 */
final class ExecRelay implements Relay {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** How long output may still drain after the process exited (a background child can hold the pipe). */
    private static final long DRAIN_MILLIS = 2000;

    private final ChannelSocket socket;
    private final ExecRequest request;
    // Set on the connection's thread before any frame is read; read again on the exit's thread.
    private volatile ExecProcess process;
    private volatile TerminalMaster terminal;
    private volatile OutputStream stdin;
    private final List<Thread> pumps = new ArrayList<>();
    private volatile boolean finished;

    private final PodRuntime runtime;

    ExecRelay(WebSocketSession session, ExecRequest request, PodRuntime runtime, Function<Status, byte[]> json) {
        this.socket = new ChannelSocket(session, json);
        this.request = request;
        this.runtime = runtime;
    }

    @Override
    public void start() throws IOException {
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
            finish(ChannelSocket.failure("InternalError", "failed to exec in container \"" + request.container() + "\": " + e.getMessage(), null));
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
        process.onExit().whenComplete((r, t) -> ChannelSocket.thread("exec-wait", () -> exited(r, t)));
    }

    /** A frame from the client. */
    @Override
    public void stdin(byte[] data) throws IOException {
        OutputStream in = stdin; // null once closed
        if (in != null) {
            in.write(data);
            in.flush();
        }
    }

    @Override
    public boolean v5() {
        return socket.v5();
    }

    /** The client went away: a process still running loses its terminal or stdin, and is killed. */
    @Override
    public void clientClosed() {
        closeStdin();
        if (process != null && !finished) {
            try {
                process.kill(request.tty() ? Signals.SIGHUP : Signals.SIGKILL);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "exec: kill after the client left: " + e.getMessage());
            }
        }
    }

    @Override
    public void resize(int rows, int cols) {
        if (terminal != null) {
            terminal.resize(rows, cols);
        }
    }

    @Override
    public synchronized void closeStdin() {
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
        Thread t = ChannelSocket.thread("exec-" + (channel == Channels.STDOUT ? "stdout" : "stderr"), () -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = from.read(buf, 1, buf.length - 1)) > 0) {
                    socket.send(channel, buf, n);
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
            status = ChannelSocket.failure("InternalError", "error waiting for the command: " + t.getMessage(), null);
        } else if (r.exitCode() == 0) {
            status = ChannelSocket.success();
        } else {
            status = ChannelSocket.failure("NonZeroExitCode", "command terminated with non-zero exit code: error executing command "
                    + request.command() + ", exit code " + r.exitCode(), Integer.toString(r.exitCode() & 0xff));
        }
        finish(status);
    }

    private void finish(Status status) {
        finished = true;
        try {
            socket.finish(status);
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
}
