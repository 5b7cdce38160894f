package io.berth.runtime.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The listening end of {@code --console-socket}, what containerd's shim holds: bind a path, pass it
 * to {@code berth-runtime create|exec --console-socket PATH} (or to {@link Console#connect}), then
 * {@link #accept} the runtime's connection and receive the pty master on it. {@link #close()}
 * closes the socket and removes the path.
 */
public final class ConsoleSocket implements AutoCloseable {
    private final NativeLibrary nl;
    private final Path path;
    private final int fd;
    private boolean closed;

    private ConsoleSocket(NativeLibrary nl, Path path, int fd) {
        this.nl = nl;
        this.path = path;
        this.fd = fd;
    }

    /** Binds and listens on {@code path}, which must not exist. */
    public static ConsoleSocket listen(Path path) {
        NativeLibrary nl = NativeLibrary.get();
        long r = nl.lib.berth_unix_listen(path.toString());
        if (r < 0) {
            int errno = (int) -r;
            String hint = errno == Errno.ENAMETOOLONG ? " (a socket path must be shorter than 108 bytes: use a shorter path)"
                    : errno == Errno.EADDRINUSE ? " (the path exists: remove the stale socket or choose another)" : "";
            throw new ChildSetupException("console socket", errno, "console socket " + path + ": cannot listen: "
                    + nl.strerror(errno) + hint);
        }
        return new ConsoleSocket(nl, path, (int) r);
    }

    public Path path() {
        return path;
    }

    /**
     * Accepts one connection, receives the master sent on it, and closes the connection. Throws if
     * nobody connects, or no master arrives, within {@code timeout} each, or the connection closes
     * without a master (the container's setup failed before its terminal step).
     */
    public synchronized TerminalMaster accept(Duration timeout) {
        if (closed) {
            throw new IllegalStateException("console socket " + path + " was closed");
        }
        long c = nl.lib.berth_unix_accept(fd, (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
        if (c < 0) {
            int errno = (int) -c;
            String why = errno == Errno.ETIMEDOUT ? "no runtime connected within " + timeout.toMillis() + " ms"
                    : nl.strerror(errno);
            throw new ChildSetupException("console socket", errno, "console socket " + path + ": " + why);
        }
        try {
            return Console.receive((int) c, timeout);
        } finally {
            nl.lib.berth_close((int) c);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nl.lib.berth_close(fd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove console socket " + path, e);
        }
    }
}
