package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/** v2 memory controller: memory.max, memory.swap.max, memory.low. */
final class Memory {
    static final String CONTROLLER = "memory";
    private static final String MAX = "memory.max";
    private static final String SWAP_MAX = "memory.swap.max";

    private Memory() {
    }

    static void check(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.memorySwap() != null && !files.exists(dir.resolve(SWAP_MAX)) && !files.plainFiles()) {
            throw new IllegalArgumentException("memorySwap needs swap accounting, which this kernel has off ("
                    + SWAP_MAX + " is missing; leave memorySwap unset)");
        }
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.memoryLimit() != null) {
            files.write(dir.resolve(MAX), max(limits.memoryLimit()));
            // v2 limits swap on its own, not memory+swap as the v1-style limits say: convert like runc.
            long total = limits.effectiveMemorySwap();
            String swap = total == CgroupLimits.UNLIMITED ? "max"
                    : limits.memoryLimit() == CgroupLimits.UNLIMITED ? "max"
                    : Long.toString(total - limits.memoryLimit());
            Path swapFile = dir.resolve(SWAP_MAX);
            // Without swap accounting there is no swap to turn off; an explicit memorySwap was checked above.
            if (files.exists(swapFile) || files.plainFiles()) {
                files.write(swapFile, swap);
            }
        }
        if (limits.memoryReservation() != null) {
            files.write(dir.resolve("memory.low"), Long.toString(limits.memoryReservation()));
        }
    }

    /** The "oom_kill" count of memory.events, which counts this cgroup and its descendants. */
    static long oomKillCount(CgroupFiles files, Path dir) {
        Path events = dir.resolve("memory.events");
        return files.exists(events) ? files.readKey(events, "oom_kill").orElse(0) : 0;
    }

    static long usage(CgroupFiles files, Path dir) {
        Path f = dir.resolve("memory.current");
        return files.exists(f) ? files.readLong(f) : 0;
    }

    static long inactiveFile(CgroupFiles files, Path dir) {
        Path f = dir.resolve("memory.stat");
        return files.exists(f) ? files.readKey(f, "inactive_file").orElse(0) : 0;
    }

    static long limit(CgroupFiles files, Path dir) {
        Path f = dir.resolve(MAX);
        if (!files.exists(f)) {
            return CgroupLimits.UNLIMITED;
        }
        String v = files.read(f);
        return v.equals("max") ? CgroupLimits.UNLIMITED : Long.parseLong(v);
    }

    private static String max(long v) {
        return v == CgroupLimits.UNLIMITED ? "max" : Long.toString(v);
    }
}
