package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/** v2 cpu controller: cpu.weight (from v1 shares) and cpu.max "QUOTA PERIOD". */
final class Cpu {
    static final String CONTROLLER = "cpu";

    private Cpu() {
    }

    /** runc's mapping of cpu.shares [2, 262144] onto cpu.weight [1, 10000]. */
    static long weight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.cpuShares() != null) {
            files.write(dir.resolve("cpu.weight"), Long.toString(weight(limits.cpuShares())));
        }
        Long period = limits.effectiveCpuPeriod();
        if (period != null) {
            Long quota = limits.cpuQuota();
            String max = quota == null || quota == CgroupLimits.UNLIMITED ? "max" : Long.toString(quota);
            files.write(dir.resolve("cpu.max"), max + " " + period);
        }
    }

    /** cpu.stat's usage_usec, in nanoseconds (cpu.stat exists even without the cpu controller). */
    static long usageNanos(CgroupFiles files, Path dir) {
        Path stat = dir.resolve("cpu.stat");
        return files.exists(stat) ? files.readKey(stat, "usage_usec").orElse(0) * 1000 : 0;
    }
}
