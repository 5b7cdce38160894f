package io.berth.image.rootfs;

import java.nio.file.Path;

import io.berth.image.content.Digest;

/** A container's root filesystem: where it is, how it was made, and from which image manifest. */
public record Rootfs(String containerId, Path path, RootfsKind kind, String imageName, Digest imageDigest) {
}
