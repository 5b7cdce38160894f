package io.berth.image.rootfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.berth.image.layer.OverlayForm;
import io.berth.image.layer.Privileges;
import io.berth.image.layer.Trees;
import io.berth.image.store.ImageDetails;
import io.berth.image.store.ImageStore;
import io.berth.image.store.StoreLayout;

/**
 * Per-container copy-on-write root filesystems under {@code containers/<id>/}: {@code rootfs/} is
 * an overlayfs mount of the image's unpacked layers (top first) with a private {@code upper/} and
 * {@code work/}, so a container's writes touch neither the shared layers nor other containers.
 *
 * <p>The mount goes through util-linux {@code mount(8)} (image-store stays free of native code) with
 * {@code userxattr}, because layers mark opaque dirs with {@code user.overlay.opaque} (see
 * {@link OverlayForm}). The lowerdir list is given relative to {@code images/layers/} with mount
 * running there, as containerd does, so each layer costs 65 bytes of the one page (4096 bytes)
 * that mount options may fill: about 60 layers. Longer stacks, or a failed overlay mount when the
 * mode is {@link Mode#AUTO}, use the copy fallback: a private flattened copy with whiteouts applied.
 */
public final class RootfsManager {
    /** What the kernel accepts as legacy mount(2) option data: one page. */
    static final int MOUNT_DATA_LIMIT = 4096 - 1;

    /** Which way to build root filesystems. */
    public enum Mode {
        /** overlayfs only: a failure to mount is an error. */
        OVERLAY,
        /** always copy (slow; for filesystems overlayfs cannot use as upper, or debugging). */
        COPY,
        /** overlayfs, falling back to a copy when it cannot mount. */
        AUTO
    }

    private final ImageStore images;
    private final StoreLayout layout;
    private final Mode mode;

    public RootfsManager(ImageStore images, Mode mode) {
        this.images = images;
        this.layout = images.layout();
        this.mode = mode;
    }

    /**
     * Builds container {@code containerId}'s root filesystem from image {@code imageName}. Any failure
     * leaves no mount and none of the directories this created.
     */
    public Rootfs create(String containerId, String imageName) throws IOException {
        StoreLayout.checkContainerId(containerId);
        Path dir = layout.container(containerId);
        Path rootfs = dir.resolve("rootfs");
        if (Trees.exists(rootfs)) {
            throw new IllegalStateException("container '" + containerId + "' already has a root filesystem at " + rootfs
                    + ": delete the container first");
        }
        boolean dirExisted = Trees.exists(dir);
        boolean ok = false;
        try {
            ImageDetails image = images.use(containerId, imageName);
            List<Path> lowers = images.lowerDirs(image);
            RootfsKind kind;
            if (mode == Mode.COPY) {
                copy(lowers, rootfs);
                kind = RootfsKind.COPY;
            } else {
                Optional<String> failure = overlay(lowers, dir, rootfs);
                if (failure.isEmpty()) {
                    kind = RootfsKind.OVERLAY;
                } else if (mode == Mode.AUTO) {
                    cleanOverlayDirs(dir);
                    Files.deleteIfExists(rootfs); // the empty mount point overlay() made
                    copy(lowers, rootfs);
                    kind = RootfsKind.COPY;
                } else {
                    throw new IOException("cannot mount the overlay root filesystem of container '" + containerId + "': "
                            + failure.get() + " (use the copy mode where overlayfs is not available)");
                }
            }
            Files.writeString(dir.resolve("rootfs-kind"), kind.name() + "\n", StandardCharsets.US_ASCII);
            ok = true;
            return new Rootfs(containerId, rootfs, kind, image.name(), image.manifestDescriptor().digest());
        } finally {
            if (!ok) {
                unmountAll(dir);
                Trees.deleteQuietly(rootfs);
                cleanOverlayDirs(dir);
                Files.deleteIfExists(dir.resolve("rootfs-kind"));
                images.release(containerId);
                if (!dirExisted) {
                    Trees.deleteQuietly(dir);
                }
            }
        }
    }

    /**
     * The root filesystem of an existing container, mounting its overlay again if it is not mounted
     * (after a host reboot the upper dir survives but the mount does not).
     */
    public Rootfs open(String containerId) throws IOException {
        RootfsKind kind = kind(containerId).orElseThrow(() -> new java.util.NoSuchElementException(
                "container '" + containerId + "' has no root filesystem: create it first"));
        Path dir = layout.container(containerId);
        ImageDetails image = images.usedBy(containerId).orElseThrow(() -> new IOException(
                "container '" + containerId + "' has a root filesystem but no image record (" + layout.containerImageFile(containerId)
                        + "): delete and recreate it"));
        Path rootfs = dir.resolve("rootfs");
        if (kind == RootfsKind.OVERLAY && !Mounts.isMountPoint(rootfs)) {
            Optional<String> failure = overlay(images.lowerDirs(image), dir, rootfs);
            if (failure.isPresent()) {
                throw new IOException("cannot mount the overlay root filesystem of container '" + containerId + "' again: " + failure.get());
            }
        }
        return new Rootfs(containerId, rootfs, kind, image.name(), image.manifestDescriptor().digest());
    }

    /**
     * Unmounts and removes container {@code containerId}'s root filesystem, upper and work dirs, and
     * its claim on the image; removes {@code containers/<id>/} too when nothing else is left in it.
     * Deleting a container that has none is not an error.
     *
     * <p>Refused with {@link RootfsInUseException}, touching nothing, while a process in another
     * mount namespace still has the root filesystem mounted: a container running on it (whose
     * namespace keeps the overlay alive, so unmounting here would succeed and the upper and work
     * directories would vanish under it). Delete the container first. This is where the order is
     * enforced because image-store and the runtime do not know each other: whoever ties them
     * (the daemon) deletes the container, then its root filesystem, and gets this error if not.
     */
    public void delete(String containerId) throws IOException {
        Path dir = layout.container(containerId);
        if (!Trees.exists(dir)) {
            return;
        }
        Path rootfs = dir.resolve("rootfs");
        if (Trees.exists(rootfs)) {
            Optional<RootfsUsers.User> user = RootfsUsers.find(rootfs);
            if (user.isPresent()) {
                throw new RootfsInUseException(containerId, rootfs, user.get().describe());
            }
        }
        unmountAll(dir);
        Trees.delete(dir.resolve("rootfs"));
        cleanOverlayDirs(dir);
        Files.deleteIfExists(dir.resolve("rootfs-kind"));
        images.release(containerId);
        try (var s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }

    /** Mounts the overlay; returns why it could not, or empty on success. */
    private Optional<String> overlay(List<Path> lowers, Path dir, Path rootfs) throws IOException {
        Path layersDir = layout.layers();
        List<String> rel = new ArrayList<>();
        for (Path l : lowers) {
            if (!l.getParent().equals(layersDir)) {
                return Optional.of("layer " + l + " is not under " + layersDir);
            }
            rel.add(l.getFileName().toString());
        }
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(rootfs);
        for (Path p : List.of(upper, work)) {
            String s = p.toString();
            if (s.contains(",") || s.contains(":")) {
                return Optional.of("the state root path " + layout.root() + " contains ',' or ':', which overlayfs options cannot carry");
            }
        }
        // An image with no layers still needs a lower dir; an empty one stands in for it.
        if (rel.isEmpty()) {
            Path empty = Files.createDirectories(dir.resolve("empty-lower"));
            rel.add(empty.toString());
        }
        String options = "userxattr,lowerdir=" + String.join(":", rel) + ",upperdir=" + upper + ",workdir=" + work;
        if (options.length() > MOUNT_DATA_LIMIT) {
            return Optional.of("the image has " + lowers.size() + " layers, too many for one overlay mount ("
                    + options.length() + " bytes of options, the kernel takes " + MOUNT_DATA_LIMIT + ")");
        }
        Process p = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", options, rootfs.toString())
                .directory(layersDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (p.waitFor() != 0) {
                return Optional.of("mount -t overlay failed: " + out);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting " + rootfs, e);
        }
        return Optional.empty();
    }

    private static void cleanOverlayDirs(Path dir) {
        Trees.deleteQuietly(dir.resolve("upper"));
        Trees.deleteQuietly(dir.resolve("work"));
        Trees.deleteQuietly(dir.resolve("empty-lower"));
    }

    /** Unmounts everything at or below {@code dir}, deepest first; a busy mount is an error that says so. */
    private static void unmountAll(Path dir) throws IOException {
        List<Path> mounts = Mounts.under(dir);
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Privileges.run(List.of("umount", mounts.get(i).toString()));
        }
        if (!Mounts.under(dir).isEmpty()) {
            throw new IOException("mounts remain under " + dir + " after unmounting: " + Mounts.under(dir)
                    + " (is a process still using the container's root filesystem?)");
        }
    }

    /**
     * The copy fallback: flattens the layers bottom-up into {@code rootfs}, applying overlayfs-form
     * whiteouts (delete) and opaque dirs (empty first). Layers are walked parents first and every
     * target directory is made a real directory before anything is written into it, so a symlink from
     * a lower layer is replaced, never followed.
     */
    static void copy(List<Path> lowersTopFirst, Path rootfs) throws IOException {
        Files.createDirectory(rootfs);
        for (int i = lowersTopFirst.size() - 1; i >= 0; i--) {
            Path layer = lowersTopFirst.get(i);
            Files.walkFileTree(layer, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    Path target = rootfs.resolve(layer.relativize(d).toString());
                    BasicFileAttributes existing = lstat(target);
                    if (existing != null && !existing.isDirectory()) {
                        Files.delete(target);
                        existing = null;
                    }
                    if (existing == null) {
                        Files.createDirectory(target);
                    } else if (OverlayForm.isOpaque(d)) {
                        try (var s = Files.list(target)) {
                            for (Path child : (Iterable<Path>) s::iterator) {
                                Trees.delete(child);
                            }
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Path target = rootfs.resolve(layer.relativize(f).toString());
                    BasicFileAttributes existing = lstat(target);
                    if (existing != null) {
                        Trees.delete(target);
                    }
                    if (OverlayForm.isWhiteout(f)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        Files.createSymbolicLink(target, Files.readSymbolicLink(f));
                        copyOwner(f, target);
                    } else if (attrs.isRegularFile()) {
                        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    } else {
                        // Devices and FIFOs: cp -a recreates them (Java cannot mknod).
                        Privileges.run(List.of("cp", "-a", "--no-dereference", f.toString(), target.toString()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Path target = rootfs.resolve(layer.relativize(d).toString());
                    copyOwner(d, target);
                    Files.setAttribute(target, "unix:mode", (Integer) Files.getAttribute(d, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777,
                            LinkOption.NOFOLLOW_LINKS);
                    FileTime mtime = Files.getLastModifiedTime(d, LinkOption.NOFOLLOW_LINKS);
                    Files.setLastModifiedTime(target, mtime);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    private static void copyOwner(Path from, Path to) throws IOException {
        if (!Privileges.isRoot()) {
            return;
        }
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** The kind a container's rootfs was built as, if it has one. */
    public Optional<RootfsKind> kind(String containerId) throws IOException {
        Path f = layout.container(containerId).resolve("rootfs-kind");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        return Optional.of(RootfsKind.valueOf(Files.readString(f, StandardCharsets.US_ASCII).strip()));
    }
}
