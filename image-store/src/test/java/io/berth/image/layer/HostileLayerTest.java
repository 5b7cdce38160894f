package io.berth.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.testing.Sentinel;
import io.berth.image.testing.TarBuilder;

/**
 * The hostile tarball corpus: each layer tries to create, modify, chmod or chown something outside
 * its root. Each must fail with a clear error (and leave no half-unpacked layer) or be contained,
 * and in every case the sentinel directory and /etc/passwd stay byte-for-byte and mode-for-mode
 * identical.
 */
class HostileLayerTest {
    @TempDir
    Path tmp;
    Sentinel sentinel;
    Map<String, String> before;
    Map<String, String> etcBefore;
    Path dest;
    LayerUnpacker unpacker = new LayerUnpacker(UnpackLimits.DEFAULT);

    @BeforeEach
    void setUp() throws IOException {
        sentinel = new Sentinel(tmp.resolve("outside"));
        before = sentinel.snapshot();
        etcBefore = etcState();
        dest = tmp.resolve("layer");
    }

    @AfterEach
    void nothingOutsideChanged() throws IOException {
        assertThat(sentinel.snapshot()).isEqualTo(before);
        assertThat(etcState()).isEqualTo(etcBefore);
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).allMatch(n -> n.equals("outside") || n.equals("layer"));
        }
    }

    private static Map<String, String> etcState() throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String f : new String[] {"/etc/passwd", "/etc/shadow", "/etc/hostname"}) {
            Path p = Path.of(f);
            if (Files.exists(p)) {
                m.put(f, Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,size").toString()
                        + io.berth.image.content.Digest.of(Files.readAllBytes(p)).hex());
            }
        }
        assertThat(Files.exists(Path.of("/etc/x"))).isFalse();
        return m;
    }

    private UnpackResult unpack(byte[] tar) throws IOException {
        return unpacker.unpack(new ByteArrayInputStream(tar), dest);
    }

    private void assertRefused(byte[] tar, String... messageParts) {
        assertThatThrownBy(() -> unpack(tar)).isInstanceOf(LayerException.class).hasMessageContainingAll(messageParts);
        assertThat(dest).doesNotExist();
    }

    @Test
    void pathTraversalIsRefused() {
        assertRefused(new TarBuilder().file("ok", "fine").file("../../etc/x", "pwned").tar(), "'../../etc/x'", "'..'");
    }

    @Test
    void traversalInTheMiddleIsRefused() {
        assertRefused(new TarBuilder().file("a/../../outside/passwd", "pwned").tar(), "contains '..'");
    }

    @Test
    void absoluteNamesAreRootedInTheLayer() throws IOException {
        String abs = sentinel.dir().resolve("passwd").toString();
        unpack(new TarBuilder().file(abs, "pwned").file("/etc/x", "inside").tar());
        assertThat(dest.resolve(abs.substring(1))).hasContent("pwned");
        assertThat(dest.resolve("etc/x")).hasContent("inside");
    }

    @Test
    void symlinkInParentPointingOutsideIsResolvedInsideTheRoot() throws IOException {
        unpack(new TarBuilder()
                .symlink("link", sentinel.dir().toString())
                .file("link/passwd", "pwned")
                .file("link/sub/new", "pwned")
                .tar());
        Path inside = dest.resolve(sentinel.dir().toString().substring(1));
        assertThat(inside.resolve("passwd")).hasContent("pwned");
        assertThat(inside.resolve("sub/new")).hasContent("pwned");
        assertThat(Files.readSymbolicLink(dest.resolve("link"))).isEqualTo(sentinel.dir());
    }

    @Test
    void relativeSymlinkClimbingOutIsClampedAtTheRoot() throws IOException {
        unpack(new TarBuilder()
                .symlink("up", "../../../../../../../..")
                .file("up/outside/passwd", "pwned")
                .symlink("deep/l", "../../..")
                .file("deep/l/x", "clamped")
                .tar());
        assertThat(dest.resolve("outside/passwd")).hasContent("pwned");
        assertThat(dest.resolve("x")).hasContent("clamped");
    }

    @Test
    void hardlinkToAHostFileIsRefused() {
        assertRefused(new TarBuilder().hardlink("pw", "/etc/passwd").tar(), "hard link", "does not exist earlier in the layer");
    }

    @Test
    void hardlinkToAFileMissingFromAnExistingDirectoryIsRefused() {
        // The parent exists, so the walk passes it; the last component is checked on its own.
        assertRefused(new TarBuilder().dir("bin").file("bin/busybox", "bb").hardlink("bin/sh", "bin/bash").tar(),
                "layer entry 'bin/sh' is a hard link to 'bin/bash', which does not exist earlier in the layer");
        assertRefused(new TarBuilder().hardlink("h", "missing").tar(),
                "layer entry 'h' is a hard link to 'missing', which does not exist earlier in the layer");
    }

    @Test
    void hardlinkToADirectoryIsRefused() {
        // link(2) refuses directories anyway (EPERM); refused first, by name, so a kernel that allowed
        // it could not make a directory loop.
        assertRefused(new TarBuilder().dir("d").file("d/f", "x").hardlink("h", "d").tar(),
                "layer entry 'h' is a hard link to directory 'd': refusing it");
        assertRefused(new TarBuilder().dir("a/b").hardlink("h", "a/b/").tar(), "is a hard link to directory");
    }

    @Test
    void hardlinkWithDotDotIsRefused() {
        assertRefused(new TarBuilder().hardlink("x", "../outside/passwd").tar(), "hard link target", "'..'");
    }

    @Test
    void hardlinkThroughASymlinkedParentStaysInside() {
        // link -> outside dir; a hard link to link/passwd must resolve link inside the root, where nothing exists.
        assertRefused(new TarBuilder().symlink("link", sentinel.dir().toString()).hardlink("h", "link/passwd").tar(),
                "does not exist earlier in the layer");
    }

    @Test
    void hardlinkToAnOutsideSymlinkLinksTheSymlinkNotItsTarget() throws IOException {
        String target = sentinel.dir().resolve("passwd").toString();
        unpack(new TarBuilder()
                .symlink("s", target)
                .hardlink("h", "s")
                .file("h", "overwrite the link, not the target", 0777)
                .tar());
        assertThat(Files.isSymbolicLink(dest.resolve("s"))).isTrue();
        assertThat(dest.resolve("h")).hasContent("overwrite the link, not the target");
    }

    @Test
    void symlinkToRootThenWritingThroughItStaysInside() throws IOException {
        // CVE-2021-29136 shape: x -> /. and a later entry (here in the same layer) writes x/etc/passwd.
        unpack(new TarBuilder().symlink("x", "/.").file("x/etc/passwd", "pwned").file("x/" + sentinel.dir() + "/passwd", "pwned").tar());
        assertThat(dest.resolve("etc/passwd")).hasContent("pwned");
        // The next layer is unpacked into its own directory: x there is a plain directory.
        Path dest2 = tmp.resolve("layer/next");
        unpacker.unpack(new ByteArrayInputStream(new TarBuilder().file("x/etc/shadow", "pwned").tar()), dest2);
        assertThat(dest2.resolve("x/etc/shadow")).hasContent("pwned");
        assertThat(Files.isSymbolicLink(dest2.resolve("x"))).isFalse();
    }

    @Test
    void chmodThroughASymlinkChangesOnlyTheLayer() throws IOException {
        // CVE-2021-32760 shape: a symlink to an outside file, then an entry of the same name with a new mode.
        String file = sentinel.dir().resolve("passwd").toString();
        String dir = sentinel.dir().resolve("sub").toString();
        unpack(new TarBuilder()
                .symlink("f", file)
                .file("f", "", 04777)
                .symlink("d", dir)
                .dir("d", 0777)
                .symlink("g", file)
                .dir("g", 0777)
                .tar());
        assertThat(Files.isRegularFile(dest.resolve("f"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat((Integer) Files.getAttribute(dest.resolve("f"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777).isEqualTo(04777);
        assertThat(Files.isDirectory(dest.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.isDirectory(dest.resolve("g"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void whiteoutsPointingOutsideAreRefused() {
        assertRefused(new TarBuilder().file(".wh...%2F..", "").tar(), "whiteout", "not a plain file name");
        assertRefused(new TarBuilder().file("../.wh.passwd", "").tar(), "'..'");
        assertRefused(new TarBuilder().file("a/.wh..", "").tar(), "whiteout");
        assertRefused(new TarBuilder().file("a/.wh.%2e%2e", "").tar(), "whiteout");
    }

    @Test
    void whiteoutThroughASymlinkedParentStaysInside() throws IOException {
        io.berth.testkit.Requirements.root();
        unpack(new TarBuilder().symlink("l", sentinel.dir().toString()).file("l/.wh.passwd", "").tar());
        Path wh = dest.resolve(sentinel.dir().toString().substring(1)).resolve("passwd");
        assertThat(OverlayForm.isWhiteout(wh)).isTrue();
    }

    @Test
    void gzipBombTripsTheByteLimitAndLeavesNothing() throws Exception {
        long oneGiB = 1L << 30;
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream pipe = new PipedOutputStream(in);
        // Stream the bomb through a pipe so the test never holds the GiB; the writer stops when the reader quits.
        Thread writer = new Thread(() -> {
            try (OutputStream gz = new GZIPOutputStream(pipe, 1 << 16);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                TarArchiveEntry e = new TarArchiveEntry("zeros", true);
                e.setSize(oneGiB);
                tar.putArchiveEntry(e);
                byte[] zeros = new byte[1 << 16];
                for (long done = 0; done < oneGiB; done += zeros.length) {
                    tar.write(zeros);
                }
                tar.closeArchiveEntry();
            } catch (IOException expectedWhenReaderStops) {
                // the unpacker stopped reading: that is the point
            }
        });
        writer.start();
        LayerUnpacker limited = new LayerUnpacker(new UnpackLimits(16L << 20, 1000));
        try (InputStream s = in) {
            assertThatThrownBy(() -> limited.unpack(s, dest)).isInstanceOf(LayerException.class)
                    .hasMessageContaining("size limit").hasMessageContaining("decompression bomb");
        }
        writer.join(30_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(dest).doesNotExist();
    }

    @Test
    void smallGzipBombOfZerosIsAFewKilobytes() throws IOException {
        // The same shape held in memory: 8 MiB of zeros is ~8 KB of gzip, and a 1 MiB limit refuses it.
        TarArchiveEntry e = new TarArchiveEntry("zeros", true);
        e.setSize(8 << 20);
        byte[] gz = TarBuilder.gzip(new TarBuilder().entry(e, new byte[8 << 20]).tar());
        assertThat(gz.length).isLessThan(16 * 1024);
        LayerUnpacker limited = new LayerUnpacker(new UnpackLimits(1 << 20, 1000));
        assertThatThrownBy(() -> limited.unpack(new ByteArrayInputStream(gz), dest))
                .isInstanceOf(LayerException.class).hasMessageContaining("size limit");
        assertThat(dest).doesNotExist();
    }

    @Test
    void entryCountBombTripsTheEntryLimit() {
        TarBuilder b = new TarBuilder();
        for (int i = 0; i < 200; i++) {
            b.file("f" + i, "");
        }
        LayerUnpacker limited = new LayerUnpacker(new UnpackLimits(1 << 20, 100));
        assertThatThrownBy(() -> limited.unpack(new ByteArrayInputStream(b.tar()), dest))
                .isInstanceOf(LayerException.class).hasMessageContaining("more than 100 entries");
        assertThat(dest).doesNotExist();
    }

    @Test
    void symlinkLoopIsAClearError() {
        assertRefused(new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "").tar(), "too many levels of symbolic links");
    }

    @Test
    void fileAsParentIsAClearError() {
        assertRefused(new TarBuilder().file("f", "x").file("f/y", "x").tar(), "parent 'f' is not a directory");
    }

    @Test
    void forgedOverlayXattrsAreIgnored() throws IOException {
        TarArchiveEntry d = new TarArchiveEntry("d/", true);
        d.setMode(040755);
        d.addPaxHeader("SCHILY.xattr.user.overlay.opaque", "y");
        d.addPaxHeader("SCHILY.xattr.user.note", "kept");
        UnpackResult r = unpack(new TarBuilder().entry(d, null).tar());
        assertThat(OverlayForm.isOpaque(dest.resolve("d"))).isFalse();
        var view = Files.getFileAttributeView(dest.resolve("d"), UserDefinedFileAttributeView.class);
        assertThat(view.list()).as("the forged overlay xattr dropped, the other user xattr kept").containsExactly("note");
        ByteBuffer value = ByteBuffer.allocate(16);
        view.read("note", value);
        assertThat(new String(value.array(), 0, value.position(), StandardCharsets.UTF_8)).isEqualTo("kept");
        assertThat(r.skipped()).containsExactly("d/: xattr user.overlay.opaque not set (user.overlay.* is the store's own overlay"
                + " markup, which a layer cannot set)");
    }
}
