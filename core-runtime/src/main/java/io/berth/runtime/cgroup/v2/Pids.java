package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/** v2 pids controller: pids.max ("max" = unlimited), pids.current. */
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
        Path f = dir.resolve("pids.current");
        return files.exists(f) ? files.readLong(f) : 0;
    }

    static long limit(CgroupFiles files, Path dir) {
        Path f = dir.resolve("pids.max");
        if (!files.exists(f)) {
            return CgroupLimits.UNLIMITED;
        }
        String v = files.read(f);
        return v.equals("max") ? CgroupLimits.UNLIMITED : Long.parseLong(v);
    }
}
