package io.berth.image.layer;

/**
 * Bounds on what one layer may produce, against decompression bombs: the uncompressed tar bytes read
 * and the file bytes written (each capped by {@code maxBytes}), and the number of tar entries.
 */
public record UnpackLimits(long maxBytes, long maxEntries) {
    /** Generous for real images (the largest common layers are a few GB) yet far below a full disk. */
    public static final UnpackLimits DEFAULT = new UnpackLimits(32L << 30, 2_000_000);

    public UnpackLimits {
        if (maxBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("unpack limits must be positive, got maxBytes=" + maxBytes + " maxEntries=" + maxEntries);
        }
    }
}
