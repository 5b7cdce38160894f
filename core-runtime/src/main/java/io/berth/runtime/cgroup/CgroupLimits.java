package io.berth.runtime.cgroup;

import java.util.List;

/**
 * The resource limits of one container, version-neutral (the OCI spec's linux.resources, in its
 * cgroup v1 units). Every field may be null, meaning "leave the kernel's value alone".
 *
 * <p>The record validates itself, so a {@link Cgroup} never sees an impossible value and a bad
 * spec fails before any cgroup is created:
 * <ul>
 * <li>memoryLimit: at least {@link #MIN_MEMORY} (6 MiB, Docker's minimum: below that a container
 *     is OOM-killed while its runtime is still setting it up), or -1 for unlimited.</li>
 * <li>memorySwap: memory plus swap, as in OCI and Docker; needs memoryLimit, must be at least it
 *     or -1 for unlimited swap. When null, swap is off (memory+swap = memoryLimit).</li>
 * <li>memoryReservation (soft limit): positive and not above memoryLimit.</li>
 * <li>cpuShares: 2..262144, the range the kernel accepts for cpu.shares.</li>
 * <li>cpuQuota: -1 (no quota) or at least 1000 us; cpuPeriod 1000..1000000 us. A quota without a
 *     period uses the kernel's default period of 100000 us.</li>
 * <li>cpusetCpus/cpusetMems: a kernel list such as "0-3,5".</li>
 * <li>pidsLimit: positive, or -1 for unlimited (0 is rejected: it would forbid even the init).</li>
 * <li>memorySwappiness: 0..100 (v1's memory.swappiness; cgroup v2 has no such knob and ignores
 *     it, as runc does). memoryOomKillDisable: true turns the v1 OOM killer off for the cgroup
 *     (memory.oom_control); v2 has no such switch and ignores it, as runc does.</li>
 * </ul>
 */
public record CgroupLimits(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares,
        Long cpuQuota, Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit,
        List<DeviceRule> devices, Long memorySwappiness, Boolean memoryOomKillDisable) {

    public static final long UNLIMITED = -1;
    public static final long MIN_MEMORY = 6L * 1024 * 1024;
    public static final long MIN_CPU_SHARES = 2;
    public static final long MAX_CPU_SHARES = 262_144;
    public static final long MIN_CPU_PERIOD_US = 1_000;
    public static final long MAX_CPU_PERIOD_US = 1_000_000;
    public static final long DEFAULT_CPU_PERIOD_US = 100_000;
    public static final long MIN_CPU_QUOTA_US = 1_000;
    public static final long MAX_SWAPPINESS = 100;

    /** No limits at all: the cgroup only groups the processes. */
    public static final CgroupLimits NONE = builder().build();

    public CgroupLimits {
        if (memoryLimit != null && memoryLimit != UNLIMITED && memoryLimit < MIN_MEMORY) {
            throw new IllegalArgumentException("memoryLimit must be at least " + MIN_MEMORY
                    + " bytes (6 MiB) or -1 for unlimited, got " + memoryLimit);
        }
        if (memorySwap != null) {
            if (memoryLimit == null || memoryLimit == UNLIMITED) {
                throw new IllegalArgumentException("memorySwap (memory+swap) needs a memoryLimit too, got memorySwap "
                        + memorySwap + " with memoryLimit " + memoryLimit);
            }
            if (memorySwap != UNLIMITED && memorySwap < memoryLimit) {
                throw new IllegalArgumentException("memorySwap is memory+swap and must be at least memoryLimit "
                        + memoryLimit + " (or -1 for unlimited swap), got " + memorySwap);
            }
        }
        if (memoryReservation != null) {
            if (memoryReservation <= 0) {
                throw new IllegalArgumentException("memoryReservation must be positive, got " + memoryReservation);
            }
            if (memoryLimit != null && memoryLimit != UNLIMITED && memoryReservation > memoryLimit) {
                throw new IllegalArgumentException("memoryReservation must not exceed memoryLimit " + memoryLimit
                        + ", got " + memoryReservation);
            }
        }
        if (cpuShares != null && (cpuShares < MIN_CPU_SHARES || cpuShares > MAX_CPU_SHARES)) {
            throw new IllegalArgumentException("cpuShares must be between " + MIN_CPU_SHARES + " and " + MAX_CPU_SHARES
                    + ", got " + cpuShares);
        }
        if (cpuPeriod != null && (cpuPeriod < MIN_CPU_PERIOD_US || cpuPeriod > MAX_CPU_PERIOD_US)) {
            throw new IllegalArgumentException("cpuPeriod must be between " + MIN_CPU_PERIOD_US + " and "
                    + MAX_CPU_PERIOD_US + " microseconds" + (cpuQuota != null ? " for cpuQuota " + cpuQuota : "")
                    + ", got " + cpuPeriod);
        }
        if (cpuQuota != null && cpuQuota != UNLIMITED && cpuQuota < MIN_CPU_QUOTA_US) {
            throw new IllegalArgumentException("cpuQuota must be at least " + MIN_CPU_QUOTA_US
                    + " microseconds per period or -1 for no quota, got " + cpuQuota);
        }
        if (cpusetCpus != null) {
            cpusetCpus = CpuSetList.parse("cpusetCpus", cpusetCpus).toString();
        }
        if (cpusetMems != null) {
            cpusetMems = CpuSetList.parse("cpusetMems", cpusetMems).toString();
        }
        if (memorySwappiness != null && (memorySwappiness < 0 || memorySwappiness > MAX_SWAPPINESS)) {
            throw new IllegalArgumentException("memorySwappiness must be between 0 and " + MAX_SWAPPINESS + ", got "
                    + Long.toUnsignedString(memorySwappiness));
        }
        if (pidsLimit != null && pidsLimit != UNLIMITED && pidsLimit <= 0) {
            throw new IllegalArgumentException("pidsLimit must be positive or -1 for unlimited, got " + pidsLimit);
        }
        if (devices != null) {
            for (DeviceRule rule : devices) {
                if (rule == null) {
                    throw new IllegalArgumentException("devices must not contain null rules");
                }
            }
            devices = List.copyOf(devices);
        }
    }

    /** The period to write with a quota: the given one, or the kernel default when only a quota is set. */
    public Long effectiveCpuPeriod() {
        if (cpuPeriod != null) {
            return cpuPeriod;
        }
        return cpuQuota != null ? DEFAULT_CPU_PERIOD_US : null;
    }

    /** memory+swap to write: the given total, or memoryLimit itself so that swap is off by default. */
    public Long effectiveMemorySwap() {
        if (memorySwap != null) {
            return memorySwap;
        }
        return memoryLimit;
    }

    public boolean hasMemory() {
        return memoryLimit != null || memoryReservation != null || memorySwappiness != null || Boolean.TRUE.equals(memoryOomKillDisable);
    }

    public boolean hasCpu() {
        return cpuShares != null || cpuQuota != null || cpuPeriod != null;
    }

    public boolean hasCpuset() {
        return cpusetCpus != null || cpusetMems != null;
    }

    public boolean hasDevices() {
        return devices != null && !devices.isEmpty();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects fields in any order; {@link #build()} validates them together. */
    public static final class Builder {
        private Long memoryLimit;
        private Long memoryReservation;
        private Long memorySwap;
        private Long cpuShares;
        private Long cpuQuota;
        private Long cpuPeriod;
        private String cpusetCpus;
        private String cpusetMems;
        private Long pidsLimit;
        private List<DeviceRule> devices;
        private Long memorySwappiness;
        private Boolean memoryOomKillDisable;

        private Builder() {
        }

        public Builder memoryLimit(Long v) {
            memoryLimit = v;
            return this;
        }

        public Builder memoryReservation(Long v) {
            memoryReservation = v;
            return this;
        }

        public Builder memorySwap(Long v) {
            memorySwap = v;
            return this;
        }

        public Builder memorySwappiness(Long v) {
            memorySwappiness = v;
            return this;
        }

        public Builder memoryOomKillDisable(Boolean v) {
            memoryOomKillDisable = v;
            return this;
        }

        public Builder cpuShares(Long v) {
            cpuShares = v;
            return this;
        }

        public Builder cpuQuota(Long v) {
            cpuQuota = v;
            return this;
        }

        public Builder cpuPeriod(Long v) {
            cpuPeriod = v;
            return this;
        }

        public Builder cpusetCpus(String v) {
            cpusetCpus = v;
            return this;
        }

        public Builder cpusetMems(String v) {
            cpusetMems = v;
            return this;
        }

        public Builder pidsLimit(Long v) {
            pidsLimit = v;
            return this;
        }

        public Builder devices(List<DeviceRule> v) {
            devices = v;
            return this;
        }

        public CgroupLimits build() {
            return new CgroupLimits(memoryLimit, memoryReservation, memorySwap, cpuShares, cpuQuota, cpuPeriod,
                    cpusetCpus, cpusetMems, pidsLimit, devices, memorySwappiness, memoryOomKillDisable);
        }
    }
}
