package io.berth.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Layout detection from mountinfo and /proc/self/cgroup text, and path resolution. */
class CgroupFsTest {
    /** This machine kind: v1 controllers, name=systemd, and a cgroup2 mount holding only hugetlb. */
    private static final String HYBRID_MOUNTINFO = String.join("\n",
            "23 1 0:21 / / rw,relatime - ext4 /dev/vda rw",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", "");
    private static final String HYBRID_SELF = String.join("\n",
            "9:name=systemd:/", "8:pids:/", "4:memory:/process_api/e3fc", "2:cpuacct:/", "1:cpu:/", "0::/", "");

    @Test
    void hybridHostIsV1WithEveryHierarchy() {
        CgroupFs fs = CgroupFs.parse(HYBRID_MOUNTINFO, HYBRID_SELF);
        assertThat(fs.version()).isEqualTo(CgroupFs.Version.V1);
        assertThat(fs.v1Mounts()).containsExactly(
                Map.entry("cpu", Path.of("/sys/fs/cgroup/cpu")),
                Map.entry("cpuacct", Path.of("/sys/fs/cgroup/cpuacct")),
                Map.entry("memory", Path.of("/sys/fs/cgroup/memory")),
                Map.entry("pids", Path.of("/sys/fs/cgroup/pids")),
                Map.entry("name=systemd", Path.of("/sys/fs/cgroup/systemd")));
    }

    @Test
    void absolutePathsAreFromTheRootAndRelativeOnesFromOurOwnCgroup() {
        CgroupFs fs = CgroupFs.parse(HYBRID_MOUNTINFO, HYBRID_SELF);
        Path memory = Path.of("/sys/fs/cgroup/memory");
        assertThat(fs.resolve(memory, "/berth/abc")).isEqualTo(Path.of("/sys/fs/cgroup/memory/berth/abc"));
        assertThat(fs.resolve(memory, "berth/abc")).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/e3fc/berth/abc"));
        assertThat(fs.resolve(Path.of("/sys/fs/cgroup/pids"), "berth/abc")).isEqualTo(Path.of("/sys/fs/cgroup/pids/berth/abc"));
    }

    @Test
    void coMountedControllersShareOneHierarchy() {
        String mountinfo = "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                + "31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        CgroupFs fs = CgroupFs.parse(mountinfo, "3:cpu,cpuacct:/user.slice\n2:memory:/user.slice\n");
        assertThat(fs.v1Mounts().get("cpu")).isEqualTo(fs.v1Mounts().get("cpuacct"));
        assertThat(fs.v1Hierarchies()).containsExactly(Path.of("/sys/fs/cgroup/cpu,cpuacct"), Path.of("/sys/fs/cgroup/memory"));
        assertThat(fs.resolve(Path.of("/sys/fs/cgroup/cpu,cpuacct"), "x")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice/x"));
    }

    @Test
    void pureV2HostIsV2() {
        CgroupFs fs = CgroupFs.parse("29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                "0::/user.slice/session-1.scope\n");
        assertThat(fs.version()).isEqualTo(CgroupFs.Version.V2);
        assertThat(fs.v2Root()).isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(fs.resolve(fs.v2Root(), "/berth/a")).isEqualTo(Path.of("/sys/fs/cgroup/berth/a"));
        assertThat(fs.resolve(fs.v2Root(), "berth/a")).isEqualTo(Path.of("/sys/fs/cgroup/user.slice/session-1.scope/berth/a"));
    }

    @Test
    void aMountOfASubtreeStripsItsRootFromOurPath() {
        // Inside a container whose /sys/fs/cgroup shows only its own subtree /kubepods/pod1.
        CgroupFs fs = CgroupFs.parse("29 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                "0::/kubepods/pod1/app\n");
        assertThat(fs.resolve(fs.v2Root(), "child")).isEqualTo(Path.of("/sys/fs/cgroup/app/child"));
    }

    @Test
    void mountPointsWithEscapedSpacesAreDecoded() {
        CgroupFs fs = CgroupFs.parse("29 23 0:26 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n", "0::/\n");
        assertThat(fs.v2Root()).isEqualTo(Path.of("/mnt/my cgroups"));
    }

    @Test
    void noCgroupMountIsAClearError() {
        assertThatThrownBy(() -> CgroupFs.parse("23 1 0:21 / / rw - ext4 /dev/vda rw\n", "0::/\n"))
                .isInstanceOf(CgroupException.class).hasMessageStartingWith("no cgroup filesystem is mounted");
    }

    @Test
    void detectReadsThisHost() {
        CgroupFs fs = CgroupFs.detect();
        assertThat(fs.files().plainFiles()).isFalse();
        if (fs.version() == CgroupFs.Version.V1) {
            assertThat(fs.v1Mounts()).isNotEmpty();
        } else {
            assertThat(fs.v2Root()).isDirectory();
        }
    }
}
