package io.berth.shell;

/**
 * A failure the user can act on: its message is one line saying what went wrong and what to do,
 * printed as it is (no stack trace), and the process exits with {@link #exitCode()}.
 */
public class ConsoleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Wrong usage (unknown option, missing argument): 2, as kubectl and most Unix tools use. */
    public static final int USAGE = 2;
    /** Everything else that failed. */
    public static final int FAILURE = 1;

    private final int exitCode;

    public ConsoleException(String message) {
        this(message, FAILURE, null);
    }

    public ConsoleException(String message, Throwable cause) {
        this(message, FAILURE, cause);
    }

    public ConsoleException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static ConsoleException usage(String message) {
        return new ConsoleException(message, USAGE, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
