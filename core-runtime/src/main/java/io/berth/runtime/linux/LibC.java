package io.berth.runtime.linux;

import java.util.Optional;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls the runtime makes from ordinary Java threads (never from a cloned child,
 * which runs only libberth's C): signalling a container another process created, and the exec
 * FIFO. Each wrapper throws {@link SyscallException} with the call, the subject and strerror.
 */
public final class LibC {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;

    /** The binding; errno is saved right after each call because the JVM may clobber it. */
    public interface Calls {
        @SaveError
        int kill(int pid, int signal);

        @SaveError
        int mkfifo(String path, int mode);

        /** open(2) is variadic; the mode is passed always (ignored without O_CREAT). */
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int pipe2(@Out int[] fds, int flags);

        @SaveError
        int close(int fd);

        @SaveError
        int waitpid(int pid, int[] status, int options);

        @SaveError
        int mount(String source, String target, String fstype, long flags, String data);

        /** Only for requests that take no argument (NS_GET_NSTYPE). */
        @SaveError
        int ioctl(int fd, long request);

        String strerror(int errno);
    }

    private static final class Holder {
        // Bound lazily, each function at its first call (not failImmediately, which binds all of
        // them at load: ~3 ms a function of a one-shot CLI call), from libc's soname rather than
        // "c", which jnr-ffi would look up by listing the library directories.
        static final Calls C = LibraryLoader.create(Calls.class).load("libc.so.6");
        static final Runtime RUNTIME = Runtime.getRuntime(C);
    }

    private LibC() {
    }

    /** kill(2); false when the process does not exist (ESRCH), which callers treat as "already gone". */
    public static boolean kill(int pid, int signal) {
        if (signal == Signals.SIGTERM || signal == Signals.SIGKILL) {
            // The two signals a stop sends, which the JDK sends itself (ProcessHandle, kill(2) after
            // checking the process's start time): a CLI kill or delete then binds no libc, which
            // costs a one-shot call 40-75 ms. A refusal falls through, so that libc says why.
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty()) {
                return false;
            }
            if (signal == Signals.SIGKILL ? process.get().destroyForcibly() : process.get().destroy()) {
                return true;
            }
            if (!process.get().isAlive()) {
                return false;
            }
        }
        if (Holder.C.kill(pid, signal) == 0) {
            return true;
        }
        int errno = LastError.getLastError(Holder.RUNTIME);
        if (errno == Errno.ESRCH) {
            return false;
        }
        throw new SyscallException("kill " + Signals.name(signal) + " " + pid, errno, strerror(errno));
    }

    public static void mkfifo(String path, int mode) {
        if (Holder.C.mkfifo(path, mode) != 0) {
            int errno = LastError.getLastError(Holder.RUNTIME);
            throw new SyscallException("mkfifo " + path, errno, strerror(errno));
        }
    }

    /** open(2) with O_CLOEXEC added: no fd of the runtime may leak into a container. */
    public static int open(String path, int flags) {
        return open(path, flags, 0);
    }

    /** As {@link #open(String, int)}, with the mode a file made by {@link #O_CREAT} gets (less the umask). */
    public static int open(String path, int flags, int mode) {
        int fd = Holder.C.open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) {
            int errno = LastError.getLastError(Holder.RUNTIME);
            throw new SyscallException("open " + path, errno, strerror(errno));
        }
        return fd;
    }

    /** pipe2(2) with O_CLOEXEC: {read end, write end}. */
    public static int[] pipe() {
        int[] fds = new int[2];
        if (Holder.C.pipe2(fds, O_CLOEXEC) != 0) {
            int errno = LastError.getLastError(Holder.RUNTIME);
            throw new SyscallException("pipe", errno, strerror(errno));
        }
        return fds;
    }

    /**
     * Reaps {@code pid} if it is an exited child of this process; does nothing otherwise (still
     * running, or not ours: ECHILD). Only call it for a pid known to be a container's, or it could
     * take the exit status of a process the JDK waits for.
     */
    public static void reapIfExited(int pid) {
        final int wnohang = 1;
        final int wall = 0x40000000;
        Holder.C.waitpid(pid, new int[1], wnohang | wall);
    }

    /** ioctl NS_GET_NSTYPE (Linux 4.11): _IO(0xb7, 0x3). */
    private static final long NS_GET_NSTYPE = 0xb703;

    /**
     * The CLONE_NEW* flag of the namespace file open on {@code fd}. Throws with errno ENOTTY (or
     * EINVAL) when the fd is not a namespace file.
     */
    public static long namespaceType(int fd, String what) {
        int r = Holder.C.ioctl(fd, NS_GET_NSTYPE);
        if (r < 0) {
            int errno = LastError.getLastError(Holder.RUNTIME);
            throw new SyscallException("ioctl NS_GET_NSTYPE " + what, errno, strerror(errno));
        }
        return r;
    }

    /** mount(2) from an ordinary thread (the host's own mounts; a container's are the child's). */
    public static void mount(String source, String target, String fstype, long flags, String data) {
        if (Holder.C.mount(source, target, fstype, flags, data) != 0) {
            int errno = LastError.getLastError(Holder.RUNTIME);
            throw new SyscallException("mount " + target, errno, strerror(errno));
        }
    }

    public static void close(int fd) {
        if (fd >= 0) {
            Holder.C.close(fd);
        }
    }

    public static String strerror(int errno) {
        String s = Holder.C.strerror(errno);
        return s == null ? "errno " + errno : s;
    }

    /** A libc call failed; {@link #errno()} for callers that handle particular errors. */
    public static final class SyscallException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        SyscallException(String call, int errno, String message) {
            super(call + ": " + message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
