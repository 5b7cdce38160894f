package io.berth.image.rootfs;

/** How a container's root filesystem is made. */
public enum RootfsKind {
    /** An overlayfs mount: image layers as read-only lower dirs, a private upper and work dir. */
    OVERLAY,
    /** A private flattened copy of the layers, for kernels or filesystems where overlayfs cannot mount. */
    COPY
}
