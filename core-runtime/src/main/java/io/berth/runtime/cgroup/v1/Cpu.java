package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/** v1 cpu controller: cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us. */
final class Cpu {
    static final String CONTROLLER = "cpu";

    private Cpu() {
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.cpuShares() != null) {
            files.write(dir.resolve("cpu.shares"), Long.toString(limits.cpuShares()));
        }
        Long period = limits.effectiveCpuPeriod();
        Long quota = limits.cpuQuota();
        if (period == null) {
            return;
        }
        Path periodFile = dir.resolve("cpu.cfs_period_us");
        Path quotaFile = dir.resolve("cpu.cfs_quota_us");
        try {
            files.write(periodFile, Long.toString(period));
        } catch (CgroupException e) {
            // The kernel checks quota/period together: a new short period can be refused while the
            // old quota is in force, and is accepted once the new quota is written first (runc does the same).
            if (quota == null) {
                throw e;
            }
            files.write(quotaFile, Long.toString(quota));
            files.write(periodFile, Long.toString(period));
            return;
        }
        if (quota != null) {
            files.write(quotaFile, Long.toString(quota));
        }
    }
}
