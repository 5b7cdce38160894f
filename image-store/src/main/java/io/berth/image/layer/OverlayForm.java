package io.berth.image.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * How OCI whiteouts look inside an unpacked layer directory. Layers are kept in overlayfs's own form
 * so that each one can be a read-only lower dir as-is, shared by every container:
 * <ul>
 * <li>{@code .wh.NAME} becomes a character device 0/0 named NAME (overlayfs's whiteout);</li>
 * <li>{@code .wh..wh..opq} becomes the xattr {@code user.overlay.opaque=y} on its directory.</li>
 * </ul>
 * The {@code user.} namespace (not {@code trusted.}) is deliberate: Java can set {@code user.*}
 * xattrs without native code, and overlayfs reads them when mounted with {@code userxattr}
 * (kernel 5.11+), which {@link io.berth.image.rootfs.RootfsManager} always passes. The copy fallback
 * reads the same two markers to flatten layers without overlayfs.
 */
public final class OverlayForm {
    /** The xattr name as Java's user-attribute view spells it (the kernel sees {@code user.overlay.opaque}). */
    public static final String OPAQUE_XATTR = "overlay.opaque";
    /** Overlayfs's own xattrs start with this; a layer's tar must never set them itself. */
    public static final String RESERVED_XATTR_PREFIX = "overlay.";
    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE_MARKER = ".wh..wh..opq";

    private OverlayForm() {
    }

    public static void markOpaque(Path dir) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        view.write(OPAQUE_XATTR, ByteBuffer.wrap("y".getBytes(StandardCharsets.US_ASCII)));
    }

    public static boolean isOpaque(Path dir) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!view.list().contains(OPAQUE_XATTR)) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(view.size(OPAQUE_XATTR));
        view.read(OPAQUE_XATTR, buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).equals("y");
    }

    /** True for a character device with device number 0/0: overlayfs's whiteout. */
    public static boolean isWhiteout(Path p) throws IOException {
        Object rdev;
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) != 0020000) {
                return false;
            }
            rdev = Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return false;
        }
        return ((Long) rdev) == 0L;
    }
}
