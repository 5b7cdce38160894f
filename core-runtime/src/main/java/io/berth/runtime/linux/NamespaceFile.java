package io.berth.runtime.linux;

import java.nio.file.Path;

/**
 * What kind of namespace a file refers to (/proc/PID/ns/net, or a bind mount of one such as CNI's
 * /run/netns/NAME). Checked in the runtime before anything is created, so a wrong path fails with
 * a sentence instead of the child's setns EINVAL after the cgroup and state exist.
 */
public final class NamespaceFile {
    /** CLONE_NEWTIME: a type Berth neither creates nor joins, named in errors all the same. */
    private static final long CLONE_NEWTIME = 0x80;

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
     * The kernel's answer (ioctl NS_GET_NSTYPE) rather than the name the file reads back as: a bind
     * mount, the way CNI keeps a network namespace, reads back as its own path. Null for any other
     * kind of file.
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
            long flag = LibC.namespaceType(fd, path.toString());
            for (Namespace ns : Namespace.values()) {
                if (ns.cloneFlag() == flag) {
                    return ns.procName();
                }
            }
            return flag == CLONE_NEWTIME ? "time" : "unknown (CLONE flag 0x" + Long.toHexString(flag) + ")";
        } catch (LibC.SyscallException e) {
            if (e.errno() == Errno.ENOTTY || e.errno() == Errno.EINVAL) {
                return null;
            }
            throw new IllegalArgumentException(what + " '" + path + "': " + e.getMessage(), e);
        } finally {
            LibC.close(fd);
        }
    }
}
