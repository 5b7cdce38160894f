package io.berth.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cgroup v2 against a tree of ordinary files laid out like a unified mount's root, checking the
 * exact strings Berth writes. (This host's real v2 mount has no controllers; see
 * {@link V2UnifiedHierarchyTest} for what it can test for real.)
 */
class V2FakeTreeTest {
    @TempDir
    Path root;

    private CgroupFs fs;
    private Cgroup cgroup;
    private Path parentDir;
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        Files.writeString(root.resolve("cpuset.cpus.effective"), "0-1\n");
        Files.writeString(root.resolve("cpuset.mems.effective"), "0\n");
        fs = CgroupFs.v2(root);
        assertThat(fs.files().plainFiles()).isTrue();
        cgroup = Cgroups.open("/berth/c1", fs);
        parentDir = root.resolve("berth");
        dir = parentDir.resolve("c1");
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }

    @Test
    void createEnablesTheControllersInEveryAncestor() throws IOException {
        cgroup.create();
        assertThat(dir).isDirectory();
        assertThat(read(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +cpuset +memory +pids");
        assertThat(read(parentDir.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +cpuset +memory +pids");
        // The leaf enables nothing, or it could not hold processes ("no internal processes").
        assertThat(dir.resolve("cgroup.subtree_control")).doesNotExist();
    }

    @Test
    void removeIfEmptyRemovesTheParentOnlyWhenNoCgroupAndNoProcessIsLeft() throws IOException {
        cgroup.create();
        Cgroup parent = Cgroups.open("/berth", fs);
        assertThat(parent.removeIfEmpty()).as("c1 is below it").isFalse();
        cgroup.destroy();
        Files.writeString(parentDir.resolve("cgroup.procs"), "4242\n");
        assertThat(parent.removeIfEmpty()).as("a process is in it").isFalse();
        assertThat(parentDir).isDirectory();
        Files.writeString(parentDir.resolve("cgroup.procs"), "");
        assertThat(parent.removeIfEmpty()).isTrue();
        assertThat(parentDir).doesNotExist();
        assertThat(parent.removeIfEmpty()).as("gone already counts").isTrue();
    }

    @Test
    void onlyControllersTheRootOffersAreEnabled() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "memory io pids\n");
        cgroup.create();
        assertThat(read(root.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids");
        assertThatThrownBy(() -> cgroup.apply(CgroupLimits.builder().cpuShares(512L).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cpuShares/cpuQuota/cpuPeriod needs the cgroup v2 \"cpu\" controller");
        assertThat(dir.resolve("cpu.weight")).doesNotExist();
    }

    @Test
    void applyWritesTheV2Strings() throws IOException {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder()
                .memoryLimit(16L << 20).memoryReservation(8L << 20)
                .cpuShares(1024L).cpuQuota(50_000L)
                .cpusetCpus("0-1").cpusetMems("0")
                .pidsLimit(10L)
                .build());
        assertThat(read(dir.resolve("memory.max"))).isEqualTo("16777216");
        assertThat(read(dir.resolve("memory.swap.max"))).as("swap off by default").isEqualTo("0");
        assertThat(read(dir.resolve("memory.low"))).isEqualTo("8388608");
        assertThat(read(dir.resolve("cpu.weight"))).as("runc's shares->weight: 1 + (1022*9999)/262142").isEqualTo("39");
        assertThat(read(dir.resolve("cpu.max"))).as("quota with the default period").isEqualTo("50000 100000");
        assertThat(read(dir.resolve("cpuset.cpus"))).isEqualTo("0-1");
        assertThat(read(dir.resolve("cpuset.mems"))).isEqualTo("0");
        assertThat(read(dir.resolve("pids.max"))).isEqualTo("10");

        cgroup.apply(CgroupLimits.builder().memoryLimit(16L << 20).memorySwap(48L << 20)
                .cpuShares(2L).cpuPeriod(250_000L).pidsLimit(-1L).build());
        assertThat(read(dir.resolve("memory.swap.max"))).as("v2 swap = memory+swap - memory").isEqualTo(Long.toString(32L << 20));
        assertThat(read(dir.resolve("cpu.weight"))).isEqualTo("1");
        assertThat(read(dir.resolve("cpu.max"))).as("a period without a quota").isEqualTo("max 250000");
        assertThat(read(dir.resolve("pids.max"))).isEqualTo("max");

        cgroup.apply(CgroupLimits.builder().memoryLimit(-1L).cpuShares(262_144L).cpuQuota(-1L).cpuPeriod(100_000L).build());
        assertThat(read(dir.resolve("memory.max"))).isEqualTo("max");
        assertThat(read(dir.resolve("memory.swap.max"))).isEqualTo("max");
        assertThat(read(dir.resolve("cpu.weight"))).isEqualTo("10000");
        assertThat(read(dir.resolve("cpu.max"))).isEqualTo("max 100000");

        cgroup.apply(CgroupLimits.builder().memoryLimit(32L << 20).memorySwap(-1L).build());
        assertThat(read(dir.resolve("memory.swap.max"))).isEqualTo("max");
    }

    @Test
    void deviceRulesNeedARealCgroupAndAreRefusedBeforeAnythingIsWritten() {
        cgroup.create();
        CgroupLimits limits = CgroupLimits.builder().memoryLimit(16L << 20)
                .devices(List.of(DeviceRule.deny("a", null, null, "rwm"))).build();
        assertThatThrownBy(() -> cgroup.apply(limits))
                .isInstanceOf(CgroupException.class)
                .hasMessageStartingWith("devices: a device filter is an eBPF program attached to a real cgroup2 directory");
        assertThat(dir.resolve("memory.max")).doesNotExist();
    }

    @Test
    void cpusetOutsideTheParentsIsRefused() throws IOException {
        cgroup.create();
        Files.writeString(parentDir.resolve("cpuset.cpus.effective"), "0-1\n");
        assertThatThrownBy(() -> cgroup.apply(CgroupLimits.builder().pidsLimit(3L).cpusetCpus("1-3").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpusetCpus must be within the parent cgroup's cpuset.cpus.effective \"0-1\", got \"1-3\"");
        assertThat(dir.resolve("pids.max")).doesNotExist();
    }

    @Test
    void countersAreReadFromTheV2Files() throws IOException {
        cgroup.create();
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n");
        Files.writeString(dir.resolve("memory.current"), "5242880\n");
        Files.writeString(dir.resolve("memory.max"), "max\n");
        Files.writeString(dir.resolve("memory.stat"), "anon 1048576\nfile 4194304\nactive_file 1048576\ninactive_file 3145728\n");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
        Files.writeString(dir.resolve("pids.current"), "3\n");
        Files.writeString(dir.resolve("pids.max"), "64\n");
        Files.writeString(dir.resolve("cgroup.procs"), "101\n102\n");
        Files.createDirectory(dir.resolve("inner"));
        Files.writeString(dir.resolve("inner/cgroup.procs"), "103\n");

        assertThat(cgroup.oomKillCount()).isEqualTo(2);
        assertThat(cgroup.stats()).isEqualTo(new CgroupStats(5_242_880, 2_097_152, CgroupLimits.UNLIMITED, 1_500_000, 3, 64, 2));
        assertThat(cgroup.pids()).containsExactly(101, 102, 103);
    }

    @Test
    void addProcessWritesCgroupProcs() throws IOException {
        cgroup.create();
        cgroup.addProcess(4242);
        assertThat(read(dir.resolve("cgroup.procs"))).isEqualTo("4242");
    }

    @Test
    void destroyRemovesTheLeafAndItsChildrenOnly() throws IOException {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().pidsLimit(5L).build());
        Files.createDirectories(dir.resolve("a/b"));
        cgroup.destroy();
        cgroup.destroy();
        assertThat(dir).doesNotExist();
        assertThat(parentDir).isDirectory();
        Cgroups.open("/berth", fs).destroy();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left.filter(Files::isDirectory)).isEmpty();
        }
    }

    @Test
    void relativePathsAreUnderTheRootForAFakeTree() {
        Cgroup relative = Cgroups.open("berth/c2", fs);
        relative.create();
        assertThat(root.resolve("berth/c2")).isDirectory();
    }
}
