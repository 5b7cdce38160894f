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

/**
 * The parts of cgroup v2 that need no controller (cgroup.procs, cgroup.freeze, cgroup.events,
 * cgroup.kill, rmdir), for real on a cgroup2 mount: the unified hierarchy of a hybrid host
 * (/sys/fs/cgroup/unified) or the root of a pure v2 host.
 *
 * <p>The hierarchy under test is rooted at a cgroup of our own two levels down ({@code
 * /<test-parent>/h}), whose parent enables no controller for it: so it offers none, whatever the
 * host's root offers (a pure v2 host has memory there), and the root's own restrictions (no
 * cgroup.freeze in the root cgroup) do not apply.
 */
class V2UnifiedHierarchyTest {
    private CgroupFs fs;
    /** The real cgroup2 mount, where the test parent is cleaned up from. */
    private CgroupFs mountFs;
    private String parent;
    private Cgroup cgroup;
    private Path dir;
    private final CgroupTestSupport procs = new CgroupTestSupport();

    @BeforeEach
    void setUp() throws IOException {
        Requirements.root();
        Path mount = null;
        for (Path candidate : new Path[] {Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup")}) {
            if (Files.isDirectory(candidate) && Files.getFileStore(candidate).type().equals("cgroup2")) {
                mount = candidate;
                break;
            }
        }
        Requirements.require(mount != null, "no cgroup2 mount at /sys/fs/cgroup/unified or /sys/fs/cgroup");
        mountFs = CgroupFs.v2(mount);
        parent = CgroupTestSupport.testParent();
        Path hierarchy = mount.resolve(parent.substring(1)).resolve("h");
        Files.createDirectories(hierarchy);
        fs = CgroupFs.v2(hierarchy);
        assertThat(fs.files().plainFiles()).isFalse();
        cgroup = Cgroups.open("/c1", fs);
        dir = fs.resolve(hierarchy, cgroup.path());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (mountFs == null || parent == null) {
            return;
        }
        Cgroup top = Cgroups.open(parent, mountFs);
        try {
            if (cgroup.frozen()) {
                cgroup.thaw();
            }
            procs.close();
            top.killAll(Signals.SIGKILL);
        } finally {
            top.destroy();
        }
        assertThat(mountFs.resolve(mountFs.v2Root(), parent)).as("left behind").doesNotExist();
    }

    private long usageUsec() throws IOException {
        return Files.readAllLines(dir.resolve("cpu.stat")).stream().filter(l -> l.startsWith("usage_usec "))
                .mapToLong(l -> Long.parseLong(l.substring("usage_usec ".length()))).findFirst().orElseThrow();
    }

    @Test
    void freezeThawAndKillForReal() throws Exception {
        cgroup.create();
        Process p = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(p));
        assertThat(cgroup.pids()).containsExactly(pid(p));
        release(p);
        await().atMost(Duration.ofSeconds(10)).until(() -> usageUsec() > 10_000);

        cgroup.freeze();
        assertThat(cgroup.frozen()).isTrue();
        assertThat(Files.readString(dir.resolve("cgroup.events"))).contains("frozen 1");
        long frozenAt = usageUsec();
        Thread.sleep(300);
        assertThat(usageUsec()).as("no CPU used while frozen").isEqualTo(frozenAt);

        cgroup.thaw();
        assertThat(cgroup.frozen()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> usageUsec() > frozenAt + 10_000);

        cgroup.freeze();
        cgroup.killAll(Signals.SIGKILL);
        assertThat(exitWithin(p, 10)).isEqualTo(128 + 9);
        assertThat(cgroup.frozen()).as("thawed after SIGKILL").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.pids().isEmpty());
        cgroup.destroy();
        assertThat(dir).doesNotExist();
    }

    @Test
    void killAllWithOtherSignalsFreezesSignalsAndThaws() throws Exception {
        cgroup.create();
        Process p = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(p));
        release(p);
        cgroup.killAll(Signals.SIGTERM);
        assertThat(exitWithin(p, 10)).isEqualTo(128 + 15);
        assertThat(cgroup.frozen()).isFalse();

        // A paused cgroup stays paused. Unlike v1, the v2 freezer lets a fatal signal through, so
        // the frozen process dies without a thaw.
        Process q = procs.shell("read x; while :; do :; done");
        cgroup.addProcess(pid(q));
        release(q);
        cgroup.freeze();
        cgroup.killAll(Signals.SIGTERM);
        assertThat(exitWithin(q, 10)).isEqualTo(128 + 15);
        assertThat(cgroup.frozen()).isTrue();
        cgroup.thaw();
    }

    @Test
    void deviceFilterIsEnforcedByTheKernel() throws Exception {
        cgroup.create();
        cgroup.apply(CgroupLimits.builder().devices(List.of(
                DeviceRule.deny("a", null, null, "rwm"),
                DeviceRule.allow("c", 1L, 3L, "rwm"),   // /dev/null
                DeviceRule.allow("c", 1L, 5L, "r")))    // /dev/zero, read only
                .build());
        String script = "read x; head -c 1 /dev/zero >/dev/null && echo zero-read;"
                + " echo x 2>/dev/null >/dev/zero || echo zero-write-denied;"
                + " head -c 1 /dev/urandom >/dev/null 2>&1 || echo urandom-denied";
        Process p = procs.shell(script);
        cgroup.addProcess(pid(p));
        release(p);
        assertThat(exitWithin(p, 10)).isZero();
        assertThat(CgroupTestSupport.stdout(p).lines()).containsExactly("zero-read", "zero-write-denied", "urandom-denied");

        // A second apply replaces the program instead of stacking a second one.
        cgroup.apply(CgroupLimits.builder().devices(List.of(DeviceRule.allow("a", null, null, "rwm"))).build());
        Process q = procs.shell(script);
        cgroup.addProcess(pid(q));
        release(q);
        assertThat(exitWithin(q, 10)).isZero();
        assertThat(CgroupTestSupport.stdout(q).lines()).containsExactly("zero-read");

        // A process outside the cgroup was never affected.
        Process outside = procs.shell("read x; head -c 1 /dev/urandom >/dev/null && echo urandom-read");
        release(outside);
        assertThat(exitWithin(outside, 10)).isZero();
        assertThat(CgroupTestSupport.stdout(outside)).isEqualTo("urandom-read\n");
    }

    @Test
    void limitsForControllersTheHierarchyLacksAreRefused() {
        cgroup.create();
        assertThat(fs.files().read(fs.v2Root().resolve("cgroup.controllers"))).doesNotContain("memory");
        assertThatThrownBy(() -> cgroup.apply(CgroupLimits.builder().memoryLimit(16L << 20).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("memoryLimit/memoryReservation needs the cgroup v2 \"memory\" controller");
    }
}
