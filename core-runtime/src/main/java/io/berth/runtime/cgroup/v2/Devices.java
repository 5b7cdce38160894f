package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;

/**
 * v2 has no devices files: device access is decided by an eBPF program attached to the cgroup
 * (BPF_CGROUP_DEVICE), compiled from the rules by {@link DeviceFilter}.
 */
final class Devices {
    private Devices() {
    }

    static void check(CgroupFiles files, CgroupLimits limits) {
        if (limits.hasDevices()) {
            // Compiling validates device numbers before anything is written.
            DeviceFilter.compile(limits.devices());
            if (files.plainFiles()) {
                throw new CgroupException("devices: a device filter is an eBPF program attached to a real cgroup2"
                        + " directory; a tree of plain files cannot hold one");
            }
        }
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (limits.hasDevices()) {
            Bpf.attachDeviceFilter(dir, DeviceFilter.encode(DeviceFilter.compile(limits.devices())));
        }
    }
}
