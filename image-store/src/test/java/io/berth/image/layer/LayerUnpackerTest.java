package io.berth.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.berth.image.content.Digest;
import io.berth.image.testing.TarBuilder;
import io.berth.testkit.Requirements;

/** Faithful unpacking: content, metadata, duplicates, links, whiteouts, compression and the diff_id. */
class LayerUnpackerTest {
    @TempDir
    Path tmp;
    final LayerUnpacker unpacker = new LayerUnpacker(UnpackLimits.DEFAULT);

    private UnpackResult unpack(byte[] blob, Path dest) throws IOException {
        return unpacker.unpack(new ByteArrayInputStream(blob), dest);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "gzip", "zstd", "xz"})
    void everyCompressionGivesTheSameTreeAndTheDiffIdOfTheTar(String how) throws IOException {
        byte[] tar = new TarBuilder().dir("etc").file("etc/hello", "hello\n").file("bin/tool", "#!/bin/sh\n", 0755).tar();
        Path dest = tmp.resolve(how);
        UnpackResult r = unpack(TarBuilder.compress(tar, how), dest);
        assertThat(r.diffId()).isEqualTo(Digest.of(tar));
        assertThat(r.tarBytes()).isEqualTo(tar.length);
        assertThat(r.entries()).isEqualTo(3);
        assertThat(dest.resolve("etc/hello")).hasContent("hello");
        assertThat(mode(dest.resolve("bin/tool"))).isEqualTo(0755);
        assertThat(mode(dest.resolve("bin"))).isEqualTo(0755); // implied parent
    }

    @Test
    void compressionIsDetectedByMagicBytes() throws IOException {
        byte[] tar = new TarBuilder().file("a", "b").tar();
        for (var c : new String[] {"gzip", "zstd", "xz", "plain"}) {
            var in = new java.io.BufferedInputStream(new ByteArrayInputStream(TarBuilder.compress(tar, c)));
            assertThat(Compression.detect(in).name().toLowerCase()).isEqualTo(c.equals("plain") ? "none" : c);
        }
    }

    @Test
    void metadataIsKept() throws IOException {
        Requirements.root();
        long mtime = 1_600_000_000L;
        Path dest = tmp.resolve("l");
        unpack(new TarBuilder()
                .file("suid", "x", 04755, 1234, 5678, mtime)
                .dir("ro", 0555)
                .file("ro/inside", "written before the dir became read-only", 0444)
                .symlink("link", "suid")
                .tar(), dest);
        assertThat(mode(dest.resolve("suid"))).isEqualTo(04755);
        assertThat(Files.getAttribute(dest.resolve("suid"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(dest.resolve("suid"), "unix:gid")).isEqualTo(5678);
        assertThat(Files.getLastModifiedTime(dest.resolve("suid")).toMillis()).isEqualTo(mtime * 1000);
        assertThat(mode(dest.resolve("ro"))).isEqualTo(0555);
        assertThat(Files.readSymbolicLink(dest.resolve("link"))).isEqualTo(Path.of("suid"));
    }

    @Test
    void laterDuplicatesWin() throws IOException {
        Path dest = tmp.resolve("l");
        unpack(new TarBuilder()
                .file("f", "first")
                .file("f", "second")
                .file("d", "a file that becomes a dir")
                .dir("d")
                .file("d/x", "x")
                .dir("e")
                .file("e/old", "old")
                .file("e", "a dir that becomes a file")
                .dir("k", 0700)
                .file("k/kept", "kept")
                .dir("k", 0750)
                .symlink("s", "f")
                .file("s", "a symlink that becomes a file")
                .tar(), dest);
        assertThat(dest.resolve("f")).hasContent("second");
        assertThat(dest.resolve("d/x")).hasContent("x");
        assertThat(dest.resolve("e")).isRegularFile().hasContent("a dir that becomes a file");
        assertThat(dest.resolve("k/kept")).hasContent("kept");
        assertThat(mode(dest.resolve("k"))).isEqualTo(0750);
        assertThat(Files.isSymbolicLink(dest.resolve("s"))).isFalse();
        assertThat(dest.resolve("f")).hasContent("second");
    }

    @Test
    void hardlinksShareTheInode() throws IOException {
        Path dest = tmp.resolve("l");
        unpack(new TarBuilder().file("bin/busybox", "bb", 0755).hardlink("bin/sh", "bin/busybox").hardlink("/bin/ls", "./bin/busybox").tar(), dest);
        assertThat(Files.isSameFile(dest.resolve("bin/sh"), dest.resolve("bin/busybox"))).isTrue();
        assertThat(Files.getAttribute(dest.resolve("bin/busybox"), "unix:nlink")).isEqualTo(3);
    }

    @Test
    void longNamesAndUtf8Survive() throws IOException {
        Path dest = tmp.resolve("l");
        String longName = "a/".repeat(60) + "file-with-a-long-name-ünïcødé";
        unpack(new TarBuilder().file(longName, "deep").tar(), dest);
        assertThat(dest.resolve(longName)).hasContent("deep");
    }

    @Test
    void whiteoutsBecomeOverlayWhiteoutsAndOpaqueDirsGetTheXattr() throws IOException {
        Requirements.root();
        Path dest = tmp.resolve("l");
        UnpackResult r = unpack(new TarBuilder()
                .file(".wh.removed", "")
                .file("etc/.wh.gone", "")
                .file("etc/.wh.gone2", "")
                .dir("var/cache")
                .file("var/cache/.wh..wh..opq", "")
                .file("var/cache/new", "n")
                .tar(), dest);
        assertThat(OverlayForm.isWhiteout(dest.resolve("removed"))).isTrue();
        assertThat(OverlayForm.isWhiteout(dest.resolve("etc/gone"))).isTrue();
        assertThat(OverlayForm.isWhiteout(dest.resolve("etc/gone2"))).isTrue();
        assertThat(Files.exists(dest.resolve("etc/.wh.gone"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(OverlayForm.isOpaque(dest.resolve("var/cache"))).isTrue();
        assertThat(OverlayForm.isOpaque(dest.resolve("var"))).isFalse();
        assertThat(Files.exists(dest.resolve("var/cache/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(r.skipped()).isEmpty();
    }

    @Test
    void whiteoutsWithoutRootAreAClearError() {
        LayerUnpacker unprivileged = new LayerUnpacker(UnpackLimits.DEFAULT, false);
        Path dest = tmp.resolve("l");
        assertThatThrownBy(() -> unprivileged.unpack(new ByteArrayInputStream(new TarBuilder().file(".wh.x", "").tar()), dest))
                .isInstanceOf(LayerException.class).hasMessageContaining("needs root");
        assertThat(dest).doesNotExist();
    }

    @Test
    void devicesAreCreatedAsRoot() throws IOException {
        Requirements.root();
        Requirements.command("mknod", "coreutils");
        Path dest = tmp.resolve("l");
        unpack(new TarBuilder()
                .device("dev/null", TarConstants.LF_CHR, 1, 3, 0666)
                .device("dev/fifo", TarConstants.LF_FIFO, 0, 0, 0600)
                .tar(), dest);
        assertThat(Files.getAttribute(dest.resolve("dev/null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo((1L << 8) | 3L);
        assertThat(mode(dest.resolve("dev/null"))).isEqualTo(0666);
        assertThat(mode(dest.resolve("dev/fifo"))).isEqualTo(0600);
    }

    @Test
    void devicesWithoutRootAreSkippedAndSaidSo() throws IOException {
        LayerUnpacker unprivileged = new LayerUnpacker(UnpackLimits.DEFAULT, false);
        Path dest = tmp.resolve("l");
        UnpackResult r = unprivileged.unpack(new ByteArrayInputStream(
                new TarBuilder().device("dev/null", TarConstants.LF_CHR, 1, 3, 0666).file("ok", "ok").tar()), dest);
        assertThat(r.skipped()).singleElement().asString().contains("dev/null", "need root");
        assertThat(dest.resolve("ok")).hasContent("ok");
    }

    @Test
    void userXattrsAreKept() throws IOException {
        TarArchiveEntry e = new TarArchiveEntry("f", true);
        e.setSize(1);
        e.addPaxHeader("SCHILY.xattr.user.mime", "text/plain");
        e.addPaxHeader("SCHILY.xattr.security.capability", "xx");
        Path dest = tmp.resolve("l");
        UnpackResult r = unpack(new TarBuilder().entry(e, new byte[] {'x'}).tar(), dest);
        var view = Files.getFileAttributeView(dest.resolve("f"), UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(64);
        view.read("mime", b);
        assertThat(new String(b.array(), 0, b.position())).isEqualTo("text/plain");
        assertThat(r.skipped()).singleElement().asString().contains("security.capability");
    }

    @Test
    void truncatedLayerIsAClearErrorAndRemovesTheDir() {
        byte[] tar = new TarBuilder().file("big", "x".repeat(100_000)).tar();
        byte[] cut = java.util.Arrays.copyOf(TarBuilder.gzip(tar), 200);
        Path dest = tmp.resolve("l");
        assertThatThrownBy(() -> unpack(cut, dest)).isInstanceOf(IOException.class);
        assertThat(dest).doesNotExist();
    }

    @Test
    void destinationMustNotExist() throws IOException {
        Path dest = Files.createDirectory(tmp.resolve("l"));
        Files.writeString(dest.resolve("keep"), "k");
        assertThatThrownBy(() -> unpack(new TarBuilder().tar(), dest)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(dest.resolve("keep")).exists();
    }
}
