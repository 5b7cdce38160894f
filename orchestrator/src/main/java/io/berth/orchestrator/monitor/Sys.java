package io.berth.orchestrator.monitor;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * The one libc call the node side makes itself, setns for a probe's thread (never in a child: that
 * is core-runtime's C; exits and pidfds are core-runtime's ExitWatcher). Errors come back as exceptions naming the call and the kernel's reason.
 */
public final class Sys {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int CLONE_NEWNET = 0x40000000;

    public interface Calls {
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int close(int fd);

        @SaveError
        int setns(int fd, int nstype);

        String strerror(int errno);
    }

    private static final class Holder {
        static final Calls C = LibraryLoader.create(Calls.class).load("libc.so.6");
        static final Runtime RUNTIME = Runtime.getRuntime(C);
    }

    private Sys() {
    }

    private static int errno() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    public static String strerror(int errno) {
        return Holder.C.strerror(errno);
    }

    /** open(2), always O_CLOEXEC: none of the daemon's fds may leak into a container but the ones it hands over. */
    private static int open(String path, int flags, int mode) {
        int fd = Holder.C.open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) {
            int e = errno();
            throw new SysException("open " + path, e);
        }
        return fd;
    }

    private static void close(int fd) {
        if (fd >= 0) {
            Holder.C.close(fd);
        }
    }

    /**
     * Moves the calling thread into the network namespace at {@code path} (allowed per thread, even
     * in a multithreaded process; a thread that did this must not go back to a pool).
     */
    public static void enterNetworkNamespace(String path) {
        int fd = open(path, O_RDONLY, 0);
        try {
            if (Holder.C.setns(fd, CLONE_NEWNET) != 0) {
                throw new SysException("setns " + path, errno());
            }
        } finally {
            close(fd);
        }
    }

    /** A failed call: {@link #errno()} says why. */
    public static final class SysException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        SysException(String call, int errno) {
            super(call + ": " + strerror(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
