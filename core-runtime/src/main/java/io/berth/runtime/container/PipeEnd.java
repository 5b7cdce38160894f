package io.berth.runtime.container;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's end of a pipe: opened when a create or exec connects the pipe, handed out by
 * {@code stream()} once that succeeded, closed by the runtime if it failed.
 */
abstract class PipeEnd<S extends Closeable> {
    private enum State { NEW, CONNECTING, CONNECTED, FAILED }

    private State state = State.NEW;
    private S stream;

    PipeEnd() {
    }

    /**
     * Our side as a JDK stream over {@code fd}, opened anew through /proc/self/fd: the JDK makes no
     * stream from a raw fd, and the pipe's other end is still open, so the open cannot block.
     */
    abstract S open(int fd) throws IOException;

    static String procFd(int fd) {
        return "/proc/self/fd/" + fd;
    }

    synchronized void connect(int ourFd) throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("this pipe already served a process: make a new one for each create or exec");
        }
        state = State.CONNECTING;
        stream = open(ourFd);
    }

    synchronized void connected() {
        state = State.CONNECTED;
    }

    /** The create or exec failed: our side is closed, nothing will ever be written or read. */
    synchronized void failed() {
        state = State.FAILED;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // Closing a pipe end does not fail in a way that matters here.
            }
            stream = null;
        }
    }

    synchronized S callerSide(String what) {
        switch (state) {
            case CONNECTED:
                return stream;
            case FAILED:
                throw new IllegalStateException("the create or exec this pipe was given to failed: it has no stream");
            default:
                throw new IllegalStateException(what + " is connected by create or exec: pass it to one, then read its stream");
        }
    }

    /**
     * FileInputStream seeks where it can take a shortcut (readAllBytes asks for the file's size and
     * position, skip moves it), which a pipe refuses with ESPIPE; this reads through.
     */
    static final class PipeInputStream extends FilterInputStream {
        PipeInputStream(InputStream in) {
            super(in);
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            long left = n;
            while (left > 0) {
                int r = in.read(discard, 0, (int) Math.min(left, discard.length));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - Math.max(left, 0);
        }
    }
}
