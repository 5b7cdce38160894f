package io.berth.runtime.linux;

/**
 * A launch step failed in the child (or the clone itself). The message names the step and the
 * kernel's reason, e.g. "execve /bin/nope: No such file or directory".
 */
public class ChildSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final int errno;

    public ChildSetupException(String step, int errno, String message) {
        super(message);
        this.step = step;
        this.errno = errno;
    }

    /** The failed step as described to the user, e.g. "pivot_root". */
    public String step() {
        return step;
    }

    /** The errno the kernel returned, or 0 when the child died without one. */
    public int errno() {
        return errno;
    }
}
