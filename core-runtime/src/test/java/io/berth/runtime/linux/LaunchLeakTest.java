package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.OpenFds;
import io.berth.testkit.Requirements;

/** Many launches: nothing accumulates (fds, zombies, mounts), and GC in the parent never hangs a child. */
class LaunchLeakTest {
    TestContainer container;

    @BeforeEach
    void setUp() {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
    }

    /** A full container minus the network namespace, whose teardown the kernel defers and which would dominate. */
    private LaunchPlan truePlan() {
        return container.plan(List.of("/bin/true"), Stdio.nullStdio())
                .withNewNamespaces(Set.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void thousandLaunchesLeakNothing() throws Exception {
        LaunchPlan plan = truePlan().withSetup(withoutLoopback(truePlan().setup()));
        // Warm up once so lazily opened JDK/jnr fds are not counted as leaks.
        runOnce(plan);
        Set<String> fds = OpenFds.now();
        List<String> mounts = ContainerIsolationTest.mounts(BusyboxRootfs.cacheDir());
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(runOnce(plan)).as("run %d", i).isEqualTo(ExitStatus.exited(0));
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("1000 container launches of /bin/true: " + ms + " ms");
        assertThat(OpenFds.now()).as("open fds").isSubsetOf(fds);
        assertThat(LeakCheck.zombieChildren()).isEmpty();
        assertThat(ContainerIsolationTest.mounts(BusyboxRootfs.cacheDir())).isEqualTo(mounts);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void launchesUnderGcChurnNeverHang() throws Exception {
        LaunchPlan shared = truePlan().withSetup(withoutLoopback(truePlan().setup()));
        LaunchPlan forked = shared.withShareMemory(false);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong allocated = new AtomicLong();
        Thread churn = new Thread(() -> {
            List<byte[]> keep = new ArrayList<>();
            while (!stop.get()) {
                keep.add(new byte[64 * 1024]);
                if (keep.size() > 500) {
                    keep.clear();
                    System.gc();
                }
                allocated.incrementAndGet();
            }
        }, "gc-churn");
        churn.start();
        try {
            for (int i = 0; i < 300; i++) {
                LaunchPlan plan = i % 3 == 0 ? forked : shared;
                try (ChildProcess c = Launcher.launch(plan)) {
                    c.proceed();
                    // A hung child would show here as a timeout, not as a stuck test.
                    assertThat(c.waitFor(Duration.ofSeconds(10))).as("launch %d", i).contains(ExitStatus.exited(0));
                }
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        assertThat(allocated.get()).as("the churn thread really allocated").isGreaterThan(1000);
        assertThat(LeakCheck.zombieChildren()).isEmpty();
    }

    private static ExitStatus runOnce(LaunchPlan plan) {
        try (ChildProcess c = Launcher.launch(plan)) {
            c.proceed();
            return c.waitFor();
        }
    }

    private static List<ChildOp> withoutLoopback(List<ChildOp> ops) {
        List<ChildOp> out = new ArrayList<>(ops);
        out.removeIf(op -> op instanceof ChildOp.LoopbackUp);
        return out;
    }
}
