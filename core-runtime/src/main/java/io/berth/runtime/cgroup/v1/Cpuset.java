package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;
import java.util.List;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.CpuSetList;

/** v1 cpuset controller: cpuset.cpus and cpuset.mems. */
final class Cpuset {
    static final String CONTROLLER = "cpuset";
    private static final String CPUS = "cpuset.cpus";
    private static final String MEMS = "cpuset.mems";

    private Cpuset() {
    }

    /**
     * A new v1 cpuset starts with no CPUs and no memory nodes, and the kernel refuses to move a
     * task into it (ENOSPC) until both are set; copy them down from the parent, top to bottom.
     */
    static void seed(CgroupFiles files, List<Path> dirsTopDown) {
        for (Path dir : dirsTopDown) {
            for (String file : List.of(CPUS, MEMS)) {
                if (files.read(dir.resolve(file)).isEmpty()) {
                    files.write(dir.resolve(file), files.read(dir.getParent().resolve(file)));
                }
            }
        }
    }

    static void check(CgroupFiles files, Path dir, CgroupLimits limits) {
        checkWithin(files, dir, "cpusetCpus", limits.cpusetCpus(), CPUS, "cpuset.effective_cpus");
        checkWithin(files, dir, "cpusetMems", limits.cpusetMems(), MEMS, "cpuset.effective_mems");
    }

    private static void checkWithin(CgroupFiles files, Path dir, String field, String value, String file, String effective) {
        if (value == null) {
            return;
        }
        Path parent = dir.getParent();
        Path source = files.exists(parent.resolve(effective)) ? parent.resolve(effective) : parent.resolve(file);
        CpuSetList available = CpuSetList.ofKernel(files.read(source));
        if (!CpuSetList.parse(field, value).isSubsetOf(available)) {
            throw new IllegalArgumentException(field + " must be within the parent cgroup's " + file + " \""
                    + available + "\", got \"" + value + "\"");
        }
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.cpusetCpus() != null) {
            files.write(dir.resolve(CPUS), limits.cpusetCpus());
        }
        if (limits.cpusetMems() != null) {
            files.write(dir.resolve(MEMS), limits.cpusetMems());
        }
    }
}
