package io.berth.runtime.linux;

import java.util.Objects;

/**
 * A device node a container asks for (OCI linux.devices): created by mknod in the container's
 * root with exactly this type, numbers, permissions and owner. It grants no access by itself: the
 * device cgroup (linux.resources.devices) decides whether it can be opened, as in runc.
 *
 * @param path        absolute path inside the container (outside /dev is allowed)
 * @param permissions the permission bits (07777) of the node
 */
public record DeviceNode(String path, Type type, long major, long minor, int permissions, int uid, int gid) {
    /** What the kernel's dev_t can hold (12-bit major, 20-bit minor). */
    public static final long MAX_MAJOR = 0xfff;
    public static final long MAX_MINOR = 0xfffff;

    public enum Type {
        CHAR(ChildOp.MakeNod.S_IFCHR), BLOCK(ChildOp.MakeNod.S_IFBLK), FIFO(ChildOp.MakeNod.S_IFIFO);

        private final int fileType;

        Type(int fileType) {
            this.fileType = fileType;
        }

        public int fileType() {
            return fileType;
        }

        /** OCI's letters: c and u (unbuffered, the same node) are character devices, b block, p a FIFO. */
        public static Type parse(String oci) {
            if (oci != null) {
                switch (oci) {
                    case "c":
                    case "u":
                        return CHAR;
                    case "b":
                        return BLOCK;
                    case "p":
                        return FIFO;
                    default:
                        break;
                }
            }
            throw new IllegalArgumentException("device type '" + oci + "' is invalid: use c, b, u or p");
        }
    }

    public DeviceNode {
        Objects.requireNonNull(type, "type");
        if (path == null || !path.startsWith("/") || path.replace("/", "").isEmpty()) {
            throw new IllegalArgumentException("device path '" + path + "' must be an absolute path inside the container below /");
        }
        if (type != Type.FIFO && (major < 0 || major > MAX_MAJOR || minor < 0 || minor > MAX_MINOR)) {
            throw new IllegalArgumentException("device " + path + " " + major + ":" + minor
                    + " is out of range: major must be 0.." + MAX_MAJOR + " and minor 0.." + MAX_MINOR);
        }
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("device " + path + " mode 0" + Integer.toOctalString(permissions)
                    + " has bits beyond 07777: give only permission bits");
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("device " + path + " owner " + uid + ":" + gid + " is invalid: ids must be 0..2147483647");
        }
    }
}
