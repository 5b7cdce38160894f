package io.berth.runtime.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.Requirements;

/** The harness itself: it must answer, and it must leave nothing behind even when a test did. */
class LocalContainerdIT {
    @TempDir
    Path tmp;

    @Test
    void closeRemovesARunningContainerItsShimMountsCgroupsAndState() throws Exception {
        Path runc = Requirements.command("runc", "runc");
        LocalContainerd containerd = LocalContainerd.start(tmp);
        Path dir = containerd.dir();
        List<ProcessHandle> shims;
        try {
            String image = BusyboxImage.importInto(containerd, tmp);
            // Left running on purpose, as a failed test would leave it.
            containerd.ctrOk("run", "-d", "--snapshotter", containerd.snapshotter(), "--fifo-dir", containerd.fifoDir().toString(),
                    "--runc-binary", runc.toString(), image, "left-behind", "sleep", "300");
            assertThat(containerd.shimSocket("left-behind")).as("shim socket").exists();
            shims = containerd.shims();
            assertThat(shims).as("shim for the running task").isNotEmpty();
            assertThat(containerd.cgroupDirs()).as("container cgroups").isNotEmpty();
            assertThat(Files.isDirectory(containerd.runtimeRoot().resolve("left-behind"))).as("runc state").isTrue();
            if (containerd.snapshotter().equals("overlayfs")) {
                assertThat(LocalContainerd.mountsUnder(dir)).as("rootfs mount").isNotEmpty();
            }
        } finally {
            containerd.close();
        }

        assertThat(shims).noneMatch(LocalContainerd::isRunning);
        assertThat(containerd.shims()).isEmpty();
        assertThat(containerd.cgroupDirs()).isEmpty();
        assertThat(LocalContainerd.mountsUnder(dir)).isEmpty();
        assertThat(containerd.runtimeRoot()).doesNotExist();
        assertThat(containerd.shimSocket("left-behind")).doesNotExist();
        assertThat(dir).doesNotExist();
    }

    @Test
    void tooLongASocketPathIsRefusedWithAClearMessageAndNothingLeft() throws Exception {
        Requirements.root();
        Requirements.command("containerd", "containerd");
        Path deep = Files.createDirectories(tmp.resolve("d".repeat(90)));

        assertThatThrownBy(() -> LocalContainerd.start(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than a unix socket allows")
                .hasMessageContaining("shorter temporary directory");
        try (var left = Files.list(deep)) {
            assertThat(left).isEmpty();
        }
    }
}
