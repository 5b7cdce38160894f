package io.berth.image.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import com.github.luben.zstd.ZstdOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds tarballs in memory for tests, including the hostile ones a real tar tool would refuse to write. */
public final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public TarBuilder() {
        tar = new TarArchiveOutputStream(bytes);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    public TarBuilder file(String name, String content) {
        return file(name, content, 0644);
    }

    public TarBuilder file(String name, byte[] data) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(0644);
        e.setSize(data.length);
        return put(e, data);
    }

    public TarBuilder file(String name, String content, int mode) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(mode);
        e.setSize(data.length);
        return put(e, data);
    }

    public TarBuilder file(String name, String content, int mode, int uid, int gid, long mtimeSeconds) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(mode);
        e.setSize(data.length);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(mtimeSeconds * 1000);
        return put(e, data);
    }

    public TarBuilder dir(String name) {
        return dir(name, 0755);
    }

    public TarBuilder dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
        e.setMode(040000 | mode);
        return put(e, null);
    }

    public TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        e.setMode(0777);
        return put(e, null);
    }

    public TarBuilder hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        e.setLinkName(target);
        return put(e, null);
    }

    public TarBuilder device(String name, byte type, int major, int minor, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(mode);
        return put(e, null);
    }

    public TarBuilder entry(TarArchiveEntry e, byte[] data) {
        return put(e, data);
    }

    private TarBuilder put(TarArchiveEntry e, byte[] data) {
        try {
            tar.putArchiveEntry(e);
            if (data != null) {
                tar.write(data);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public byte[] tar() {
        try {
            tar.finish();
            tar.close();
            return bytes.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public static byte[] gzip(byte[] plain) {
        return compress(plain, "gzip");
    }

    public static byte[] compress(byte[] plain, String how) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = switch (how) {
            case "gzip" -> new GZIPOutputStream(out);
            case "zstd" -> new ZstdOutputStream(out);
            case "xz" -> new XZOutputStream(out, new LZMA2Options());
            default -> out;
        }) {
            c.write(plain);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
