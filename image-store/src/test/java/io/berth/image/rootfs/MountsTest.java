package io.berth.image.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class MountsTest {
    @Test
    void mountinfoEscapesAreDecoded() {
        assertThat(Mounts.unescape("/tmp/a\\040b\\011c\\134d")).isEqualTo("/tmp/a b\tc\\d");
        assertThat(Mounts.unescape("/plain\\9")).isEqualTo("/plain\\9");
    }

    @Test
    void rootIsAMountPointAndATempDirIsNot() throws IOException {
        assertThat(Mounts.isMountPoint(Path.of("/"))).isTrue();
        assertThat(Mounts.isMountPoint(Path.of("/proc"))).isTrue();
        assertThat(Mounts.isMountPoint(Path.of("/definitely/not/mounted"))).isFalse();
    }
}
