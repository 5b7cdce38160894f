package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/** v1 pids controller: pids.max ("max" = unlimited), pids.current. Same files as v2. */
final class Pids {
    static final String CONTROLLER = "pids";

    private Pids() {
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.pidsLimit() != null) {
            long v = limits.pidsLimit();
            files.write(dir.resolve("pids.max"), v == CgroupLimits.UNLIMITED ? "max" : Long.toString(v));
        }
    }

    static long current(CgroupFiles files, Path dir) {
        return files.readLong(dir.resolve("pids.current"));
    }

    static long limit(CgroupFiles files, Path dir) {
        String v = files.read(dir.resolve("pids.max"));
        return v.equals("max") ? CgroupLimits.UNLIMITED : Long.parseLong(v);
    }
}
