package io.berth.runtime.cgroup.v2;

import io.berth.runtime.cgroup.CgroupLimits;

/**
 * v2 has no devices files: device access is decided by an eBPF program attached to the cgroup
 * (BPF_CGROUP_DEVICE), which Berth does not generate yet. Rules are refused rather than ignored,
 * because silently granting every device would be worse than not starting.
 */
final class Devices {
    private Devices() {
    }

    static void check(CgroupLimits limits) {
        if (limits.hasDevices()) {
            throw new IllegalArgumentException("devices: device rules on cgroup v2 need an eBPF device filter, which is"
                    + " not supported yet; leave devices unset on this host (or use a cgroup v1 host)");
        }
    }
}
