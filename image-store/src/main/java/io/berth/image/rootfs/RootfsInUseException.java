package io.berth.image.rootfs;

import java.nio.file.Path;

/** A container's root filesystem cannot be deleted: a process (its container) still runs on it. */
public final class RootfsInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final String containerId;
    private final String user;

    RootfsInUseException(String containerId, Path rootfs, String user) {
        super("cannot delete the root filesystem of container '" + containerId + "': " + rootfs + " is still mounted in the mount"
                + " namespace of " + user + ", which runs on it; delete that container first, then its root filesystem");
        this.containerId = containerId;
        this.user = user;
    }

    public String containerId() {
        return containerId;
    }

    /** The process found using it: "process PID (COMMAND, cgroup PATH)". */
    public String user() {
        return user;
    }
}
