package io.berth.image.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.tukaani.xz.XZInputStream;

/**
 * How a layer blob is compressed, decided by its magic bytes rather than its media type: registries
 * and archives mislabel layers often enough (docker-archive's layer.tar may be gzipped) that the
 * bytes are the only reliable witness.
 */
public enum Compression {
    GZIP(new byte[] {0x1f, (byte) 0x8b}),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
    XZ(new byte[] {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}),
    NONE(new byte[0]);

    private static final int BUFFER = 1 << 16;
    private final byte[] magic;

    Compression(byte[] magic) {
        this.magic = magic;
    }

    /** Looks at the first bytes of {@code in} (which must support mark/reset) without consuming them. */
    public static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        for (Compression c : values()) {
            if (c != NONE && startsWith(head, c.magic)) {
                return c;
            }
        }
        return NONE;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The uncompressed stream of {@code raw}, whatever its compression. */
    public static InputStream decompress(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, BUFFER);
        return switch (detect(in)) {
            // GZIPInputStream reads concatenated members too, which pigz and some registries produce.
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), BUFFER);
            case XZ -> new BufferedInputStream(new XZInputStream(in), BUFFER);
            case NONE -> in;
        };
    }
}
