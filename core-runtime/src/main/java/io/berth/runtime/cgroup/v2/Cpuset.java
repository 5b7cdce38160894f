package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.CpuSetList;

/** v2 cpuset controller: cpuset.cpus and cpuset.mems (empty means "inherit", unlike v1). */
final class Cpuset {
    static final String CONTROLLER = "cpuset";

    private Cpuset() {
    }

    static void check(CgroupFiles files, Path dir, CgroupLimits limits) {
        checkWithin(files, dir, "cpusetCpus", limits.cpusetCpus(), "cpuset.cpus.effective");
        checkWithin(files, dir, "cpusetMems", limits.cpusetMems(), "cpuset.mems.effective");
    }

    private static void checkWithin(CgroupFiles files, Path dir, String field, String value, String effective) {
        Path source = dir.getParent().resolve(effective);
        if (value == null || !files.exists(source)) {
            return;
        }
        CpuSetList available = CpuSetList.ofKernel(files.read(source));
        if (!CpuSetList.parse(field, value).isSubsetOf(available)) {
            throw new IllegalArgumentException(field + " must be within the parent cgroup's " + effective + " \""
                    + available + "\", got \"" + value + "\"");
        }
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.cpusetCpus() != null) {
            files.write(dir.resolve("cpuset.cpus"), limits.cpusetCpus());
        }
        if (limits.cpusetMems() != null) {
            files.write(dir.resolve("cpuset.mems"), limits.cpusetMems());
        }
    }
}
