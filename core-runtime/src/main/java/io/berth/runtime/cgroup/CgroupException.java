package io.berth.runtime.cgroup;

/**
 * A cgroup operation the kernel refused, or a cgroup file that is not where the layout says it
 * should be. The message names the file, the value and the kernel's reason, so an operator can
 * reproduce it with {@code echo VALUE > FILE}.
 */
public class CgroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
