package io.berth.runtime.cgroup;

import io.berth.runtime.linux.Signals;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.berth.testkit.BusyboxRootfs;

/**
 * How long a container's cgroup costs on this host: create, apply (memory, cpu, pids), addProcess
 * of a waiting process, killAll and destroy, each timed separately over N rounds. A program that
 * prints figures, not a test (run as root):
 *
 * <pre>
 * java -cp core-runtime/target/classes:core-runtime/target/test-classes:DEPS \
 *     io.berth.runtime.cgroup.CgroupLifecycleBenchmark [rounds] [v2-mount]
 * </pre>
 *
 * With a v2 mount (e.g. /sys/fs/cgroup/unified on a hybrid host, which has no controllers) it
 * measures that hierarchy instead, applying only a device filter (eBPF load + attach).
 */
public final class CgroupLifecycleBenchmark {
    private static final String[] STEPS = {"open+create", "apply", "addProcess", "stats", "killAll+wait", "destroy"};

    private CgroupLifecycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        CgroupFs fs = args.length > 1 ? CgroupFs.v2(Path.of(args[1])) : CgroupFs.detect();
        String parent = "/berth-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path busybox = BusyboxRootfs.path().resolve("bin/busybox");
        CgroupLimits limits = args.length > 1
                ? CgroupLimits.builder().devices(java.util.List.of(DeviceRule.deny("a", null, null, "rwm"),
                        DeviceRule.allow("c", 1L, 3L, "rwm"), DeviceRule.allow("c", 1L, 5L, "rwm"),
                        DeviceRule.allow("c", 136L, null, "rwm"))).build()
                : CgroupLimits.builder().memoryLimit(64L << 20).cpuShares(512L).cpuQuota(50_000L).pidsLimit(64L).build();
        long[][] nanos = new long[STEPS.length][rounds];
        try {
            for (int i = 0; i < rounds; i++) {
                Process p = new ProcessBuilder(busybox.toString(), "sh", "-c", "read x").start();
                try {
                    long t0 = System.nanoTime();
                    Cgroup cg = Cgroups.open(parent + "/c" + i, fs);
                    cg.create();
                    long t1 = System.nanoTime();
                    cg.apply(limits);
                    long t2 = System.nanoTime();
                    cg.addProcess(Math.toIntExact(p.pid()));
                    long t3 = System.nanoTime();
                    cg.stats();
                    long t4 = System.nanoTime();
                    cg.killAll(Signals.SIGKILL);
                    p.waitFor(10, TimeUnit.SECONDS);
                    long t5 = System.nanoTime();
                    cg.destroy();
                    long t6 = System.nanoTime();
                    long[] t = {t0, t1, t2, t3, t4, t5, t6};
                    for (int s = 0; s < STEPS.length; s++) {
                        nanos[s][i] = t[s + 1] - t[s];
                    }
                } finally {
                    p.destroyForcibly();
                    closeQuietly(p.getOutputStream());
                }
            }
        } finally {
            Cgroups.open(parent, fs).destroy();
        }
        System.out.printf("cgroup lifecycle on %s, %d rounds (milliseconds)%n", fs, rounds);
        System.out.printf("%-14s %8s %8s %8s %8s%n", "step", "p50", "p90", "p99", "max");
        for (int s = 0; s < STEPS.length; s++) {
            long[] v = nanos[s].clone();
            Arrays.sort(v);
            System.out.printf("%-14s %8.3f %8.3f %8.3f %8.3f%n", STEPS[s], ms(v, 0.50), ms(v, 0.90), ms(v, 0.99),
                    v[v.length - 1] / 1e6);
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // The process is gone; nothing to flush.
        }
    }
}
