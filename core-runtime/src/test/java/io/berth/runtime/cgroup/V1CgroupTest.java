package io.berth.runtime.cgroup;

import io.berth.runtime.linux.Signals;
import static io.berth.runtime.cgroup.CgroupTestSupport.exitWithin;
import static io.berth.runtime.cgroup.CgroupTestSupport.pid;
import static io.berth.runtime.cgroup.CgroupTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.berth.testkit.Requirements;

/** cgroup v1 for real: needs root and a host with v1 controllers mounted (as this machine kind has). */
class V1CgroupTest {
    private static final long MIB = 1024 * 1024;

    private CgroupFs fs;
    private String parent;
    private Cgroup cgroup;
    private final CgroupTestSupport procs = new CgroupTestSupport();

    @BeforeEach
    void setUp() {
        Requirements.root();
        fs = CgroupFs.detect();
        Requirements.require(fs.version() == CgroupFs.Version.V1, "this host has no cgroup v1 controllers (" + fs + ")");
        parent = CgroupTestSupport.testParent();
        cgroup = Cgroups.open(parent + "/c1", fs);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fs == null || parent == null) {
            return;
        }
        Cgroup top = Cgroups.open(parent, fs);
        try {
            // A frozen task cannot die, so thaw before killing.
            if (cgroup.frozen()) {
                cgroup.thaw();
            }
            procs.close();
            // Whatever a test's shell left behind (orphans reparented away from it) is still in the cgroup.
            top.killAll(Signals.SIGKILL);
        } finally {
            top.destroy();
        }
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, parent)).as("left behind").doesNotExist();
        }
    }

    private Path dir(String controller) {
        return fs.resolve(fs.v1Mounts().get(controller), cgroup.path());
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    @Test
    void createAppliesEveryLimitAndDestroyRemovesEveryDirectory() throws IOException {
        cgroup.create();
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, cgroup.path())).isDirectory();
        }
        // Seeded from the parent, or no task could join.
        assertThat(read(dir("cpuset").resolve("cpuset.cpus"))).isEqualTo(read(fs.v1Mounts().get("cpuset").resolve("cpuset.cpus")));
        assertThat(read(dir("cpuset").resolve("cpuset.mems"))).isNotEmpty();

        cgroup.apply(CgroupLimits.builder()
                .memoryLimit(32 * MIB).memoryReservation(16 * MIB)
                .cpuShares(512L).cpuQuota(50_000L).cpuPeriod(200_000L)
                .cpusetCpus("0").cpusetMems("0")
                .pidsLimit(20L)
                .build());

        assertThat(read(dir("memory").resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(32 * MIB));
        // Swap off by default: memory+swap equals memory.
        assertThat(read(dir("memory").resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(32 * MIB));
        assertThat(read(dir("memory").resolve("memory.soft_limit_in_bytes"))).isEqualTo(Long.toString(16 * MIB));
        assertThat(read(dir("cpu").resolve("cpu.shares"))).isEqualTo("512");
        assertThat(read(dir("cpu").resolve("cpu.cfs_period_us"))).isEqualTo("200000");
        assertThat(read(dir("cpu").resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(read(dir("cpuset").resolve("cpuset.cpus"))).isEqualTo("0");
        assertThat(read(dir("cpuset").resolve("cpuset.mems"))).isEqualTo("0");
        assertThat(read(dir("pids").resolve("pids.max"))).isEqualTo("20");

        // Raising memory above the current memsw needs the other write order; unlimited pids is "max".
        cgroup.apply(CgroupLimits.builder().memoryLimit(64 * MIB).memorySwap(96 * MIB).pidsLimit(-1L).cpuQuota(-1L).build());
        assertThat(read(dir("memory").resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(64 * MIB));
        assertThat(read(dir("memory").resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(96 * MIB));
        assertThat(read(dir("pids").resolve("pids.max"))).isEqualTo("max");
        assertThat(read(dir("cpu").resolve("cpu.cfs_quota_us"))).isEqualTo("-1");
        // And lowering both below the current limit needs the first order again.
        cgroup.apply(CgroupLimits.builder().memoryLimit(8 * MIB).build());
        assertThat(read(dir("memory").resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(8 * MIB));
        assertThat(read(dir("memory").resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(8 * MIB));

        cgroup.destroy();
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, cgroup.path())).doesNotExist();
            assertThat(fs.resolve(mount, parent)).isDirectory();
        }
        cgroup.destroy(); // idempotent
    }

    @Test
    void swappinessAndOomKillDisableAreWrittenAndNoKernelMemoryFileIsTouched() throws IOException {
        cgroup.create();
        Path kmem = dir("memory").resolve("memory.kmem.limit_in_bytes");
        String kmemBefore = Files.exists(kmem) ? read(kmem) : null;
        cgroup.apply(CgroupLimits.builder().memoryLimit(48 * MIB).memorySwappiness(10L).memoryOomKillDisable(true).build());
        assertThat(read(dir("memory").resolve("memory.swappiness"))).isEqualTo("10");
        assertThat(read(dir("memory").resolve("memory.oom_control"))).contains("oom_kill_disable 1");
        if (kmemBefore != null) {
            assertThat(read(kmem)).as("kernel memory limits are ignored, as runc does").isEqualTo(kmemBefore);
        }
        cgroup.apply(CgroupLimits.builder().memorySwappiness(100L).build());
        assertThat(read(dir("memory").resolve("memory.swappiness"))).isEqualTo("100");
        assertThatThrownBy(() -> CgroupLimits.builder().memorySwappiness(101L).build())
                .hasMessage("memorySwappiness must be between 0 and 100, got 101");
    }

    @Test
    void createSeedsAnEmptyCpusetAncestorLeftByAnInterruptedCreate() throws Exception {
        Path cpusetParent = fs.resolve(fs.v1Mounts().get("cpuset"), parent);
        Files.createDirectory(cpusetParent); // a new v1 cpuset starts with no CPUs
        assertThat(read(cpusetParent.resolve("cpuset.cpus"))).isEmpty();

        cgroup.create();
        assertThat(read(cpusetParent.resolve("cpuset.cpus"))).isNotEmpty();
        Process p = procs.shell("read x");
        cgroup.addProcess(pid(p));
        assertThat(cgroup.pids()).containsExactly(pid(p));
    }

    @Test
    void processOverItsMemoryLimitIsOomKilledAndCounted() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().memoryLimit(16 * MIB).build());
        Process p = procs.shell("read x; exec dd if=/dev/zero of=/dev/null bs=64M count=1");
        cgroup.addProcess(pid(p));
        assertThat(cgroup.pids()).containsExactly(pid(p));
        assertThat(cgroup.oomKillCount()).isZero();

        release(p);

        assertThat(exitWithin(p, 30)).as("exit status of a SIGKILLed process").isEqualTo(128 + 9);
        assertThat(cgroup.oomKillCount()).isGreaterThanOrEqualTo(1);
        assertThat(cgroup.stats().oomKills()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theOomCountOfACgroupThatIsGoneIsAnErrorNotZero() {
        cgroup.create();
        assertThat(cgroup.oomKillCount()).isZero();
        cgroup.destroy();
        assertThatThrownBy(cgroup::oomKillCount).isInstanceOf(CgroupException.class)
                .hasMessage("cannot read the OOM kill count of cgroup " + cgroup.path() + ": " + dir("memory") + " does not exist");
    }

    @Test
    void removeIfEmptyLeavesAParentInUseAndRemovesAnEmptyOne() throws Exception {
        Cgroup top = Cgroups.open(parent, fs);
        cgroup.create();
        assertThat(top.removeIfEmpty()).as("a child cgroup is left").isFalse();
        assertThat(dir("memory")).isDirectory();
        cgroup.destroy();

        Process p = procs.shell("read x");
        top.create();
        top.addProcess(pid(p));
        assertThat(top.removeIfEmpty()).as("a process is left").isFalse();
        assertThat(fs.resolve(fs.v1Mounts().get("memory"), parent)).isDirectory();
        release(p);
        assertThat(exitWithin(p, 10)).isZero();
        org.awaitility.Awaitility.await().until(() -> top.pids().isEmpty());

        assertThat(top.removeIfEmpty()).isTrue();
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, parent)).doesNotExist();
        }
        assertThat(top.removeIfEmpty()).as("gone already counts").isTrue();
    }

    @Test
    void processWithinItsMemoryLimitIsNotCountedAsOomKill() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().memoryLimit(64 * MIB).build());
        Process p = procs.shell("read x; exec dd if=/dev/zero of=/dev/null bs=4M count=4");
        cgroup.addProcess(pid(p));
        release(p);
        assertThat(exitWithin(p, 30)).isZero();
        assertThat(cgroup.oomKillCount()).isZero();
    }

    @Test
    void forkLoopStopsAtPidsLimitAndKillAllEndsEverything() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().pidsLimit(10L).build());
        // The fork loop runs in a subshell because busybox sh exits when a fork fails.
        Process p = procs.shell("read x; ( i=0; while [ $i -lt 30 ]; do sleep 600 & i=$((i+1)); done );"
                + " echo \"forker exited $?\"; read y");
        cgroup.addProcess(pid(p));
        release(p);

        // sh + forker subshell + 8 sleeps = 10, then the 9th sleep's fork fails and the forker dies.
        assertThat(p.inputReader().readLine()).isEqualTo("forker exited 2");
        assertThat(cgroup.pids()).hasSize(9).contains(pid(p));
        assertThat(cgroup.stats().pidsCurrent()).isEqualTo(9);
        assertThat(cgroup.stats().pidsLimit()).isEqualTo(10);
        assertThat(read(dir("pids").resolve("pids.events"))).as("forks refused by pids.max").isNotEqualTo("max 0");
        // The host can still start processes.
        Process outside = new ProcessBuilder("/bin/true").start();
        assertThat(exitWithin(outside, 10)).isZero();

        cgroup.killAll(Signals.SIGKILL);

        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.pids().isEmpty());
        assertThat(exitWithin(p, 10)).isEqualTo(128 + 9);
        assertThat(CgroupTestSupport.stderr(p)).contains("can't fork");
        assertThat(cgroup.frozen()).as("thawed again after the kill").isFalse();
    }

    @Test
    void freezeStopsTheProcessesAndThawResumesThem() throws Exception {
        cgroup.create();
        Process p = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(p));
        release(p);
        Path usage = dir("cpuacct").resolve("cpuacct.usage");
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.parseLong(read(usage)) > 10_000_000L);

        cgroup.freeze();
        assertThat(read(dir("freezer").resolve("freezer.state"))).isEqualTo("FROZEN");
        assertThat(cgroup.frozen()).isTrue();
        long frozenAt = Long.parseLong(read(usage));
        Thread.sleep(300);
        assertThat(Long.parseLong(read(usage))).as("no CPU used while frozen").isEqualTo(frozenAt);

        cgroup.thaw();
        assertThat(read(dir("freezer").resolve("freezer.state"))).isEqualTo("THAWED");
        assertThat(cgroup.frozen()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.parseLong(read(usage)) > frozenAt + 10_000_000L);

        cgroup.killAll(Signals.SIGTERM);
        assertThat(exitWithin(p, 10)).isEqualTo(128 + 15);
    }

    @Test
    void killAllKeepsAPausedContainerPausedExceptForSigkill() throws Exception {
        cgroup.create();
        Process a = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(a));
        release(a);
        cgroup.freeze();

        cgroup.killAll(Signals.SIGTERM);
        assertThat(cgroup.frozen()).isTrue();
        assertThat(a.waitFor(300, java.util.concurrent.TimeUnit.MILLISECONDS)).as("pending while frozen").isFalse();
        cgroup.thaw();
        assertThat(exitWithin(a, 10)).isEqualTo(128 + 15);

        Process b = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(b));
        release(b);
        cgroup.freeze();
        cgroup.killAll(Signals.SIGKILL);
        assertThat(exitWithin(b, 10)).isEqualTo(128 + 9);
        assertThat(cgroup.frozen()).isFalse();
    }

    @Test
    void statsReportUsageAndLimits() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().memoryLimit(64 * MIB).pidsLimit(5L).build());
        // 4 MB in a shell variable, charged to the new cgroup (pages from before the move are not).
        Process p = procs.shell("read x; x=$(head -c 4000000 /dev/zero | tr '\\0' a); while :; do :; done");
        cgroup.addProcess(pid(p));
        release(p);
        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.stats().cpuUsageNanos() > 50_000_000L);

        CgroupStats stats = cgroup.stats();
        assertThat(stats.memoryLimitBytes()).isEqualTo(64 * MIB);
        assertThat(stats.memoryUsageBytes()).isGreaterThan(4_000_000L);
        assertThat(stats.memoryWorkingSetBytes()).isPositive().isLessThanOrEqualTo(stats.memoryUsageBytes());
        assertThat(stats.pidsCurrent()).isEqualTo(1);
        assertThat(stats.pidsLimit()).isEqualTo(5);
        assertThat(stats.oomKills()).isZero();

        Cgroup unlimited = Cgroups.open(parent + "/c2", fs);
        unlimited.create();
        assertThat(unlimited.stats().memoryLimitBytes()).isEqualTo(CgroupLimits.UNLIMITED);
        assertThat(unlimited.stats().pidsLimit()).isEqualTo(CgroupLimits.UNLIMITED);
    }

    @Test
    void invalidLimitsFailWithTheFieldNameAndCreateNothing() {
        List<CgroupLimits.Builder> bad = List.of(
                CgroupLimits.builder().memoryLimit(-5L),
                CgroupLimits.builder().memoryLimit(1024L),
                CgroupLimits.builder().cpuQuota(50_000L).cpuPeriod(10L),
                CgroupLimits.builder().cpuQuota(5L),
                CgroupLimits.builder().cpusetCpus("abc"),
                CgroupLimits.builder().pidsLimit(0L));
        List<String> fields = List.of("memoryLimit", "memoryLimit", "cpuPeriod", "cpuQuota", "cpusetCpus", "pidsLimit");
        for (int i = 0; i < bad.size(); i++) {
            CgroupLimits.Builder b = bad.get(i);
            assertThatThrownBy(() -> {
                CgroupLimits limits = b.build();
                cgroup.create();
                cgroup.apply(limits);
            }).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(fields.get(i));
        }
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, parent)).doesNotExist();
        }
    }

    @Test
    void cpusetOutsideTheParentsIsRefusedBeforeAnyWrite() throws IOException {
        cgroup.create();
        String before = read(dir("cpuset").resolve("cpuset.cpus"));
        assertThatThrownBy(() -> cgroup.apply(CgroupLimits.builder().pidsLimit(7L).cpusetCpus("0-4095").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cpusetCpus must be within the parent cgroup's cpuset.cpus");
        assertThat(read(dir("cpuset").resolve("cpuset.cpus"))).isEqualTo(before);
        assertThat(read(dir("pids").resolve("pids.max"))).as("nothing half-written").isEqualTo("max");
    }

    @Test
    void operationsBeforeCreateSaySo() {
        assertThatThrownBy(() -> cgroup.apply(CgroupLimits.builder().pidsLimit(5L).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("call create() before apply()");
        assertThatThrownBy(() -> cgroup.addProcess(1))
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("call create() before addProcess()");
        assertThatThrownBy(cgroup::stats)
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("call create() before stats()");
        assertThatThrownBy(cgroup::freeze)
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("call create() before freeze()");
        // Reading and cleaning up a cgroup that is not there is not an error, except for the OOM
        // count: "0" would read as "no OOM kill" to a caller comparing counts.
        assertThat(cgroup.pids()).isEmpty();
        assertThatThrownBy(cgroup::oomKillCount).isInstanceOf(CgroupException.class).hasMessageEndingWith("does not exist");
        assertThat(cgroup.frozen()).isFalse();
        cgroup.killAll(Signals.SIGKILL);
        for (Path mount : fs.v1Hierarchies()) {
            assertThat(fs.resolve(mount, parent)).doesNotExist();
        }
    }

    @Test
    void addingAProcessThatIsGoneNamesTheFileAndTheReason() throws Exception {
        cgroup.create();
        Process p = procs.shell("exit 0");
        exitWithin(p, 10);
        int gone = pid(p);
        assertThatThrownBy(() -> cgroup.addProcess(gone))
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("cannot write \"" + gone + "\" to ")
                .hasMessageContaining("cgroup.procs: No such process");
    }

    @Test
    void siblingsCreatedConcurrentlyUnderANewParentAllAcceptTasks() throws Exception {
        int n = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                Cgroup sibling = Cgroups.open(parent + "/s" + i, fs);
                done.add(pool.submit(() -> {
                    sibling.create();
                    return null;
                }));
            }
            for (var f : done) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < n; i++) {
            Cgroup sibling = Cgroups.open(parent + "/s" + i, fs);
            Process p = procs.shell("read x");
            sibling.addProcess(pid(p));
            assertThat(sibling.pids()).containsExactly(pid(p));
        }
    }

    @Test
    void deviceRulesAllowOnlyTheListedDevices() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().devices(List.of(
                DeviceRule.deny("a", null, null, "rwm"),
                DeviceRule.allow("c", 1L, 3L, "rwm"),   // /dev/null
                DeviceRule.allow("c", 1L, 5L, "r")))    // /dev/zero, read only
                .build());
        assertThat(read(dir("devices").resolve("devices.list")).lines()).containsExactlyInAnyOrder("c 1:3 rwm", "c 1:5 r");

        Process p = procs.shell("read x; head -c 1 /dev/zero >/dev/null && echo zero-ok;"
                + " head -c 1 /dev/urandom >/dev/null 2>&1 || echo urandom-denied");
        cgroup.addProcess(pid(p));
        release(p);
        assertThat(exitWithin(p, 10)).isZero();
        assertThat(CgroupTestSupport.stdout(p).lines()).containsExactly("zero-ok", "urandom-denied");
    }

    @Test
    void destroyRemovesNestedCgroupsAndToleratesAbsence() throws IOException {
        Cgroups.open(parent + "/never-created", fs).destroy();
        cgroup.create();
        Files.createDirectory(dir("memory").resolve("nested"));
        Files.createDirectory(dir("memory").resolve("nested").resolve("deeper"));
        cgroup.destroy();
        assertThat(dir("memory")).doesNotExist();
    }
}
