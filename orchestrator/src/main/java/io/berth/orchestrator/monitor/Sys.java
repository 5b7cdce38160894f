package io.berth.orchestrator.monitor;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls the node side makes from its own threads (never in a child: that is
 * core-runtime's C). Errors come back as exceptions naming the call and the kernel's reason.
 */
public final class Sys {
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    public static final int ECHILD = 10;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;

    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    private static final int WNOWAIT = 0x01000000;
    private static final int WALL = 0x40000000;
    private static final short POLLIN = 1;
    /** x86_64 and aarch64 (generic) agree on these. */
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;

    public interface Calls {
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int close(int fd);

        /** Variadic in C; every argument here fits a register as a long. */
        @SaveError
        long syscall(long number, long a, long b, long c, long d, long e);

        /** glibc passes P_PIDFD through to the kernel as is. */
        @SaveError
        int waitid(int idtype, int id, @Out byte[] info, int options);

        @SaveError
        int setns(int fd, int nstype);

        @SaveError
        int poll(byte[] fds, long nfds, int timeoutMs);

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
    public static int open(String path, int flags, int mode) {
        int fd = Holder.C.open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) {
            int e = errno();
            throw new SysException("open " + path, e);
        }
        return fd;
    }

    public static void close(int fd) {
        if (fd >= 0) {
            Holder.C.close(fd);
        }
    }

    /**
     * Moves the calling thread into the network namespace at {@code path} (allowed per thread, even
     * in a multithreaded process; a thread that did this must not go back to a pool).
     */
    public static void enterNetworkNamespace(String path) {
        int fd = open(path, 0, 0);
        try {
            if (Holder.C.setns(fd, 0x40000000) != 0) {
                throw new SysException("setns " + path, errno());
            }
        } finally {
            close(fd);
        }
    }

    /** A pidfd for {@code pid}, or -1 if there is no such process (ESRCH). */
    public static int pidfdOpen(int pid) {
        long r = Holder.C.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0, 0);
        if (r < 0) {
            int e = errno();
            if (e == ESRCH) {
                return -1;
            }
            throw new SysException("pidfd_open " + pid, e);
        }
        return (int) r;
    }

    /** Signals the process behind the pidfd; false if it has already exited (never a reused pid). */
    public static boolean pidfdKill(int pidfd, int signal) {
        long r = Holder.C.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0);
        if (r < 0) {
            int e = errno();
            if (e == ESRCH) {
                return false;
            }
            throw new SysException("pidfd_send_signal", e);
        }
        return true;
    }

    /** Waits up to {@code timeoutMs} (-1: forever) for the process to exit; true once it has. */
    public static boolean pidfdPoll(int pidfd, int timeoutMs) {
        byte[] pfd = new byte[8];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pfd).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(0, pidfd);
        b.putShort(4, POLLIN);
        int r = Holder.C.poll(pfd, 1, timeoutMs);
        if (r < 0) {
            int e = errno();
            if (e == EINTR) {
                return false;
            }
            throw new SysException("poll on a pidfd", e);
        }
        return r > 0;
    }

    /**
     * The exit of our child behind {@code pidfd}, if it has exited, WITHOUT reaping it ({@code reap}
     * false: the zombie stays, so a crash right after still leaves its status to our subreaper) or
     * reaping it ({@code reap} true). Empty while it runs; throws ECHILD if it is not our child.
     * Returns {si_code, si_status}: CLD_EXITED 1 with the code, CLD_KILLED 2 / CLD_DUMPED 3 with the signal.
     */
    public static int[] waitid(int pidfd, boolean reap) {
        byte[] info = new byte[128];
        int options = WEXITED | WNOHANG | WALL | (reap ? 0 : WNOWAIT);
        for (;;) {
            int r = Holder.C.waitid(P_PIDFD, pidfd, info, options);
            if (r == 0) {
                break;
            }
            int e = errno();
            if (e != EINTR) {
                throw new SysException("waitid", e);
            }
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(info).order(java.nio.ByteOrder.nativeOrder());
        // siginfo_t on 64-bit Linux: si_signo 0, si_errno 4, si_code 8, then the union at 16: si_pid 16, si_uid 20, si_status 24.
        int pid = b.getInt(16);
        if (pid == 0) {
            return null; // WNOHANG and still running
        }
        return new int[] {b.getInt(8), b.getInt(24)};
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
