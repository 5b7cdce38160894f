package io.berth.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.berth.runtime.linux.MountFlags;

class CgroupMigrationsTest {
    private static final String HYBRID = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            41 31 0:38 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate
            """;

    @Test
    void theRemountKeepsTheMountsFlagsAndTheSuperblocksOptions() {
        CgroupMigrations.Remount r = CgroupMigrations.remount(HYBRID);
        assertThat(r.mountPoint()).isEqualTo("/sys/fs/cgroup/unified");
        assertThat(r.flags()).isEqualTo(MountFlags.REMOUNT | MountFlags.NOSUID | MountFlags.NODEV | MountFlags.NOEXEC);
        assertThat(r.data()).isEqualTo("nsdelegate,favordynmods");
        assertThat(CgroupMigrations.isOn(HYBRID)).isFalse();
    }

    @Test
    void aReadOnlyMountStaysReadOnlyAndAnEscapedMountPointIsUnescaped() {
        CgroupMigrations.Remount r = CgroupMigrations.remount(
                "41 31 0:38 / /mnt/cg\\0402 ro,relatime - cgroup2 cgroup2 ro,memory_recursiveprot\n");
        assertThat(r.mountPoint()).isEqualTo("/mnt/cg 2");
        assertThat(r.flags()).isEqualTo(MountFlags.REMOUNT | MountFlags.RDONLY);
        assertThat(r.data()).isEqualTo("memory_recursiveprot,favordynmods");
    }

    @Test
    void aHostWithoutCgroup2HasNothingToRemountAndAnOptionAlreadySetIsSeen() {
        assertThat(CgroupMigrations.remount("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n")).isNull();
        assertThat(CgroupMigrations.isOn(HYBRID.replace("rw,nsdelegate", "rw,nsdelegate,favordynmods"))).isTrue();
    }

    @Test
    void onAHostWhereItIsOnAlreadyNothingIsRemounted() throws Exception {
        // Turning it on cannot be undone before a reboot (Linux 6.18), so a test must not be the one to
        // do it: this runs only where the host (a node, or an earlier daemon) already did.
        Assumptions.assumeTrue(CgroupMigrations.isOn(Files.readString(Path.of("/proc/self/mountinfo"))));
        String before = Files.readString(Path.of("/proc/self/mountinfo"));
        CgroupMigrations.Outcome o = CgroupMigrations.favorDynamicModifications();
        assertThat(o.on()).isTrue();
        assertThat(o.changed()).isFalse();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(before);
    }
}
