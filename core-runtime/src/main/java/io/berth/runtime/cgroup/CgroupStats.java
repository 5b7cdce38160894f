package io.berth.runtime.cgroup;

/**
 * A snapshot of a container's cgroup counters, for {@code berth top} and the metrics endpoint.
 * Limits use {@link CgroupLimits#UNLIMITED} (-1) when there is none; counters of a controller
 * that is not mounted read 0.
 *
 * <p>memoryWorkingSetBytes is usage minus inactive file cache, the figure kubectl top and
 * cAdvisor show: page cache the kernel can drop at once is not memory the container needs.
 */
public record CgroupStats(long memoryUsageBytes, long memoryWorkingSetBytes, long memoryLimitBytes,
        long cpuUsageNanos, long pidsCurrent, long pidsLimit, long oomKills) {

    /** usage - inactive_file, never below 0 (the two are read at slightly different moments). */
    public static long workingSet(long usage, long inactiveFile) {
        return Math.max(0, usage - inactiveFile);
    }
}
