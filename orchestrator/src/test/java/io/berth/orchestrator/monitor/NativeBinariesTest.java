package io.berth.orchestrator.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeBinariesTest {
    @TempDir
    Path dir;

    @Test
    void aFileChangedOrReplacedAfterItWasVerifiedIsWrittenAgain() throws Exception {
        Path pause = NativeBinaries.extract(NativeBinaries.PAUSE, dir);
        byte[] good = Files.readAllBytes(pause);
        assertThat(good).isNotEmpty();
        Object inode = Files.readAttributes(pause, "unix:ino").get("ino");
        // Asked again unchanged: the same file (a running sandbox's binary is never rewritten).
        assertThat(NativeBinaries.extract(NativeBinaries.PAUSE, dir)).isEqualTo(pause);
        assertThat(Files.readAttributes(pause, "unix:ino").get("ino")).isEqualTo(inode);

        // Overwritten in place with other bytes of the same size: compared again and restored.
        // (After a pause: the mtime is the kernel's coarse clock, a few ms per tick.)
        Thread.sleep(50);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x5a;
        Files.write(pause, bad);
        NativeBinaries.extract(NativeBinaries.PAUSE, dir);
        assertThat(Files.readAllBytes(pause)).isEqualTo(good);

        // Replaced by another file: restored too, executable.
        Files.delete(pause);
        Files.writeString(pause, "not pause");
        NativeBinaries.extract(NativeBinaries.PAUSE, dir);
        assertThat(Files.readAllBytes(pause)).isEqualTo(good);
        assertThat(Files.getPosixFilePermissions(pause)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));

        // Removed: extracted again.
        Files.delete(pause);
        NativeBinaries.extract(NativeBinaries.PAUSE, dir);
        assertThat(Files.readAllBytes(pause)).isEqualTo(good);
    }
}
