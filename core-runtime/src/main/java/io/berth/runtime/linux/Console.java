package io.berth.runtime.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The parent's side of runc's console-socket contract (OCI {@code process.terminal}). The caller of
 * {@code create}/{@code exec --tty} listens on an AF_UNIX socket and passes its path as
 * {@code --console-socket}; the runtime {@link #connect}s to it and puts the fd in
 * {@link LaunchPlan#consoleSocketFd()}; the child's {@link ChildOp.SetupTerminal} step sends the
 * pty master over it (SCM_RIGHTS, the pty's name as payload) and the caller {@link #receive}s it.
 * In the library the launcher uses a {@link #socketPair()} instead
 * ({@link LaunchPlan#CONSOLE_PAIR}). Listening is {@link ConsoleSocket}.
 */
public final class Console {
    /** Longest pty name accepted from the sender ("/dev/pts/4294967295" is 19). */
    private static final int NAME_MAX = 256;

    private Console() {
    }

    /**
     * A CLOEXEC stream socket connected to {@code socket}; the caller owns it (close it once the
     * launch returned: the child holds its own copy).
     */
    public static int connect(Path socket) {
        NativeLibrary nl = NativeLibrary.get();
        long r = nl.lib.berth_unix_connect(socket.toString());
        if (r < 0) {
            int errno = (int) -r;
            String hint = errno == Errno.ENAMETOOLONG ? "a socket path must be shorter than 108 bytes: use a shorter path"
                    : "is the caller listening?";
            throw new ChildSetupException("console socket", errno, "console socket " + socket + ": "
                    + nl.strerror(errno) + " (" + hint + ")");
        }
        return (int) r;
    }

    /** A connected CLOEXEC AF_UNIX stream pair {ours, theirs}; the caller closes both. */
    public static int[] socketPair() {
        NativeLibrary nl = NativeLibrary.get();
        int[] fds = new int[2];
        long r = nl.lib.berth_socketpair(fds);
        if (r < 0) {
            throw new ChildSetupException("console socket", (int) -r, "console socketpair: " + nl.strerror((int) -r));
        }
        return fds;
    }

    /**
     * Blocks until one pty master arrives on {@code socketFd} and returns it (CLOEXEC, owned by the
     * caller) with the name the sender gave ("/dev/pts/0"). Throws if the peer closed the socket
     * without sending one (its setup failed before the terminal step, or it had none).
     */
    public static TerminalMaster receive(int socketFd) {
        return receive(socketFd, null);
    }

    /** As {@link #receive(int)}, giving up after {@code timeout} (null: never). */
    public static TerminalMaster receive(int socketFd, Duration timeout) {
        NativeLibrary nl = NativeLibrary.get();
        byte[] name = new byte[NAME_MAX];
        int[] fd = {-1};
        int ms = timeout == null ? -1 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        long r = nl.lib.berth_recv_fd(socketFd, name, name.length, fd, ms);
        if (r < 0) {
            int errno = (int) -r;
            String why = errno == Errno.ETIMEDOUT ? "no terminal arrived within " + ms + " ms"
                    : errno == Errno.ENOMSG ? "the other end closed it without sending a terminal (did the"
                    + " container's setup fail before its terminal step?)"
                    : errno == Errno.EBADMSG ? "a message arrived without a file descriptor (is the peer a"
                    + " runtime following the console-socket contract?)" : nl.strerror(errno);
            throw new ChildSetupException("console socket", errno, "console socket: " + why);
        }
        return new TerminalMaster(nl, fd[0], new String(name, 0, (int) r, StandardCharsets.UTF_8));
    }
}
