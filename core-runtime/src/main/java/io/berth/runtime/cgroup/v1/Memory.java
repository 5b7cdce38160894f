package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/**
 * v1 memory controller: memory.limit_in_bytes, memory.memsw.limit_in_bytes, memory.soft_limit_in_bytes,
 * memory.swappiness, memory.oom_control. Never memory.kmem.*: kernel memory limits are deprecated
 * (5.4) and gone (6.1); the spec's kernel and kernelTCP are accepted and ignored, as runc does.
 */
final class Memory {
    static final String CONTROLLER = "memory";
    private static final String LIMIT = "memory.limit_in_bytes";
    private static final String MEMSW = "memory.memsw.limit_in_bytes";
    private static final String SOFT = "memory.soft_limit_in_bytes";
    /** The kernel reports "no limit" as LONG_MAX rounded down to a page; anything this large is unlimited. */
    private static final long UNLIMITED_THRESHOLD = 1L << 62;

    private Memory() {
    }

    static void check(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.memorySwap() != null && !files.exists(dir.resolve(MEMSW))) {
            throw new IllegalArgumentException("memorySwap needs swap accounting, which this kernel has off ("
                    + MEMSW + " is missing; boot with swapaccount=1, or leave memorySwap unset)");
        }
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.memoryLimit() != null) {
            long limit = limits.memoryLimit();
            Path memsw = dir.resolve(MEMSW);
            if (files.exists(memsw)) {
                // The kernel keeps limit <= memsw at every moment, so the order of the two writes
                // depends on whether memsw grows past the current limit or shrinks below it.
                long swap = limits.effectiveMemorySwap();
                long currentLimit = files.readLong(dir.resolve(LIMIT));
                if (swap == CgroupLimits.UNLIMITED || swap >= currentLimit) {
                    files.write(memsw, Long.toString(swap));
                    files.write(dir.resolve(LIMIT), Long.toString(limit));
                } else {
                    files.write(dir.resolve(LIMIT), Long.toString(limit));
                    files.write(memsw, Long.toString(swap));
                }
            } else {
                files.write(dir.resolve(LIMIT), Long.toString(limit));
            }
        }
        if (limits.memoryReservation() != null) {
            files.write(dir.resolve(SOFT), Long.toString(limits.memoryReservation()));
        }
        if (limits.memorySwappiness() != null) {
            files.write(dir.resolve("memory.swappiness"), Long.toString(limits.memorySwappiness()));
        }
        if (Boolean.TRUE.equals(limits.memoryOomKillDisable())) {
            files.write(dir.resolve("memory.oom_control"), "1");
        }
    }

    /**
     * OOM kills in this cgroup: the "oom_kill" line of memory.oom_control (kernel 4.13+).
     * memory.failcnt is not used as a fallback: it counts allocations that hit the limit and were
     * satisfied by reclaim, not kills. Older kernels have no counter, so this reads 0 there.
     */
    static long oomKillCount(CgroupFiles files, Path dir) {
        Path file = dir.resolve("memory.oom_control");
        if (!files.exists(file)) {
            return 0;
        }
        return files.readKey(file, "oom_kill").orElse(0);
    }

    static long usage(CgroupFiles files, Path dir) {
        return files.readLong(dir.resolve("memory.usage_in_bytes"));
    }

    /** memory.stat's total_inactive_file: this cgroup and its children, like usage_in_bytes. */
    static long inactiveFile(CgroupFiles files, Path dir) {
        return files.readKey(dir.resolve("memory.stat"), "total_inactive_file").orElse(0);
    }

    static long limit(CgroupFiles files, Path dir) {
        long v = files.readLong(dir.resolve(LIMIT));
        return v >= UNLIMITED_THRESHOLD ? CgroupLimits.UNLIMITED : v;
    }
}
