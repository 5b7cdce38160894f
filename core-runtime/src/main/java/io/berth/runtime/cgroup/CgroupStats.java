package io.berth.runtime.cgroup;

/**
 * A snapshot of a container's cgroup counters, for {@code berth top} and the metrics endpoint.
 * Limits use {@link CgroupLimits#UNLIMITED} (-1) when there is none; counters of a controller
 * that is not mounted read 0.
 */
public record CgroupStats(long memoryUsageBytes, long memoryLimitBytes, long cpuUsageNanos,
        long pidsCurrent, long pidsLimit, long oomKills) {
}
