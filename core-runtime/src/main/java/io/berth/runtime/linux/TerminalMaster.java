package io.berth.runtime.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The master side of a container's pty: what the process writes to its terminal is read here, and
 * what is written here is its terminal input (line discipline included: echo, ^C as SIGINT).
 * {@link #input()} ends (-1) once every holder of the slave has exited (the kernel's EIO).
 * Close only after readers and writers on other threads have returned: the fd number could
 * otherwise be reused under them.
 */
public final class TerminalMaster implements AutoCloseable {
    private final NativeLibrary nl;
    private final int fd;
    private final String name;
    private volatile boolean closed;

    TerminalMaster(NativeLibrary nl, int fd, String name) {
        this.nl = nl;
        this.fd = fd;
        this.name = name;
    }

    /** The master's fd in this process (CLOEXEC), e.g. for a relay's poll loop. */
    public int fd() {
        return fd;
    }

    /** The pty's name inside the container, as the sender gave it ("/dev/pts/0"). */
    public String name() {
        return name;
    }

    /** Sets the window size (TIOCSWINSZ; the process gets SIGWINCH), as a relay does on a client resize. */
    public void resize(int rows, int cols) {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new IllegalArgumentException("console size " + rows + "x" + cols
                    + " is out of range: rows and columns must be 0..65535");
        }
        check();
        long r = nl.lib.berth_set_winsize(fd, rows, cols);
        if (r < 0) {
            throw new IllegalStateException("resize terminal " + name + ": " + nl.strerror((int) -r));
        }
    }

    /** Reads what the process wrote; -1 once the slave side is gone. Not buffered. */
    public InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                checkIo();
                byte[] buf = off == 0 ? b : new byte[len];
                long r = nl.lib.berth_read(fd, buf, Math.min(len, b.length - off));
                if (r == -Errno.EIO) {
                    return -1; // the last slave fd closed: the terminal hung up
                }
                if (r < 0) {
                    throw new IOException("read terminal " + name + ": " + nl.strerror((int) -r));
                }
                if (r == 0) {
                    return -1;
                }
                if (buf != b) {
                    System.arraycopy(buf, 0, b, off, (int) r);
                }
                return (int) r;
            }
        };
    }

    /** Writes terminal input for the process. */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                checkIo();
                byte[] buf = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
                int done = 0;
                while (done < len) {
                    byte[] rest = done == 0 ? buf : java.util.Arrays.copyOfRange(buf, done, len);
                    long r = nl.lib.berth_write(fd, rest, rest.length);
                    if (r < 0) {
                        throw new IOException("write terminal " + name + ": " + nl.strerror((int) -r));
                    }
                    done += (int) r;
                }
            }
        };
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            nl.lib.berth_close(fd);
        }
    }

    @Override
    public String toString() {
        return "TerminalMaster[" + name + ", fd " + fd + (closed ? ", closed" : "") + "]";
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("terminal " + name + " was closed");
        }
    }

    private void checkIo() throws IOException {
        if (closed) {
            throw new IOException("terminal " + name + " was closed");
        }
    }
}
