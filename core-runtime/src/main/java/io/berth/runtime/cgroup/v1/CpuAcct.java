package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;

/** v1 cpuacct controller: read-only accounting, cpuacct.usage in nanoseconds. */
final class CpuAcct {
    static final String CONTROLLER = "cpuacct";

    private CpuAcct() {
    }

    static long usageNanos(CgroupFiles files, Path dir) {
        return files.readLong(dir.resolve("cpuacct.usage"));
    }
}
