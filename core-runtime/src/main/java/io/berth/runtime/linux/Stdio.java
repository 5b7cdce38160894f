package io.berth.runtime.linux;

/**
 * File descriptors in the launching process that become the child's 0, 1 and 2. The caller owns
 * them (the launch dups them, it never closes them); -1 means /dev/null. This is the fd level,
 * for callers that hold raw fds (the CLI passes its own 0-2); from Java, pass a
 * {@code io.berth.runtime.container.ContainerIo} and the runtime opens and closes the fds.
 */
public record Stdio(int in, int out, int err) {
    public static final int NULL = -1;

    public static Stdio nullStdio() {
        return new Stdio(NULL, NULL, NULL);
    }

    /** The launching JVM's own stdio. */
    public static Stdio inherit() {
        return new Stdio(0, 1, 2);
    }
}
