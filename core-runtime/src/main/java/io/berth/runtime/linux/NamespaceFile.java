package io.berth.runtime.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What kind of namespace a file refers to (/proc/PID/ns/net, or a bind mount of one such as
 * /run/netns/NAME). Checked in the runtime before anything is created, so a wrong path fails with
 * a sentence instead of the child's setns EINVAL after the cgroup and state exist.
 */
public final class NamespaceFile {
    /** nsfs's names; pipes and sockets read back in the same "NAME:[INODE]" shape. */
    private static final Set<String> KERNEL_TYPES = Set.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts");

    private NamespaceFile() {
    }

    /**
     * Throws {@link IllegalArgumentException} (one line, naming {@code what} and the path) unless
     * {@code path} opens as a namespace of type {@code expected}.
     *
     * @param what how the caller names this entry, e.g. "linux.namespaces network path"
     */
    public static void check(Namespace expected, Path path, String what) {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(what + " '" + path + "' is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/"
                    + expected.procName());
        }
        String type = typeOf(path, what);
        if (type == null) {
            throw new IllegalArgumentException(what + " '" + path + "' is not a namespace file: give /proc/PID/ns/"
                    + expected.procName() + " of a process in that namespace, or a bind mount of one");
        }
        if (!type.equals(expected.procName())) {
            throw new IllegalArgumentException(what + " '" + path + "' is a " + type + " namespace, not " + expected.procName()
                    + ": give a " + expected.procName() + " namespace file or fix the entry's type");
        }
    }

    /**
     * The kernel names an open namespace file "TYPE:[INODE]" (nsfs's d_dname), whatever path it was
     * opened through: read that back from /proc/self/fd. Null for any other kind of file.
     */
    private static String typeOf(Path path, String what) {
        int fd;
        try {
            // O_NONBLOCK: a FIFO at the path must not hang the runtime until someone writes to it.
            fd = LibC.open(path.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK);
        } catch (LibC.SyscallException e) {
            String hint = e.errno() == Errno.ENOENT ? ": the process or bind mount that held the namespace is gone; start it again or fix the path"
                    : ": " + e.getMessage();
            throw new IllegalArgumentException(what + " '" + path + "' cannot be opened" + hint, e);
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            int colon = target.indexOf(":[");
            if (colon <= 0 || !target.endsWith("]")) {
                return null;
            }
            String type = target.substring(0, colon);
            return KERNEL_TYPES.contains(type) ? type : null; // not a pipe or socket, which read back alike
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " '" + path + "': cannot read what it refers to: " + e.getMessage(), e);
        } finally {
            LibC.close(fd);
        }
    }
}
