package io.berth.runtime.linux;

import java.util.Optional;

/**
 * A pidfd for a process this JVM did not clone, as a restarted daemon holds for the containers it
 * adopts: signals and exit notification through it can never reach a process that reused the pid.
 * Only the process's parent can read its exit status, so {@link #peekStatus()} returns one only
 * when this JVM is that parent.
 */
public final class PidFd implements AutoCloseable {
    private final NativeLibrary nl;
    private final int pid;
    private int fd;

    private PidFd(NativeLibrary nl, int pid, int fd) {
        this.nl = nl;
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * A pidfd for whatever process has {@code pid} now (check its identity afterwards: a pid alone
     * may name another process); empty when no process has it.
     */
    public static Optional<PidFd> open(int pid) {
        NativeLibrary nl = NativeLibrary.get();
        long fd = nl.lib.berth_pidfd_open(pid);
        if (fd == -Errno.ESRCH) {
            return Optional.empty();
        }
        if (fd < 0) {
            throw new IllegalStateException("pidfd_open " + pid + ": " + nl.strerror((int) -fd));
        }
        return Optional.of(new PidFd(nl, pid, (int) fd));
    }

    public int pid() {
        return pid;
    }

    public synchronized int fd() {
        checkOpen();
        return fd;
    }

    /** Sends {@code signal}; false when the process is gone (ESRCH). */
    public synchronized boolean signal(int signal) {
        checkOpen();
        long r = nl.lib.berth_pidfd_kill(fd, signal);
        if (r == -Errno.ESRCH) {
            return false;
        }
        if (r < 0) {
            throw new IllegalStateException("kill " + Signals.name(signal) + " " + pid + ": " + nl.strerror((int) -r));
        }
        return true;
    }

    /**
     * The exited process's status when this JVM is its parent, read without reaping it (WNOWAIT):
     * whoever holds it as a child in this JVM (a {@link ChildProcess}, a delete) still reaps it
     * once, and two reapers never race. Empty when it is another process's child (ECHILD: that
     * parent gets the status) or still running.
     */
    public synchronized Optional<ExitStatus> peekStatus() {
        checkOpen();
        int[] out = new int[2];
        long r = nl.lib.berth_pidfd_peek(fd, out);
        if (r == -Errno.ECHILD || r == 0) {
            return Optional.empty();
        }
        if (r < 0) {
            throw new IllegalStateException("waitid on " + pid + ": " + nl.strerror((int) -r));
        }
        return Optional.of(ChildProcess.status(out));
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            nl.lib.berth_close(fd);
            fd = -1;
        }
    }

    private void checkOpen() {
        if (fd < 0) {
            throw new IllegalStateException("pidfd of " + pid + " was closed");
        }
    }
}
