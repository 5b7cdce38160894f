package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.DeviceRule;

/** v1 devices controller: each rule, in order, to devices.allow or devices.deny. */
final class Devices {
    static final String CONTROLLER = "devices";

    private Devices() {
    }

    static void apply(CgroupFiles files, Path dir, CgroupLimits limits) {
        if (!limits.hasDevices()) {
            return;
        }
        for (DeviceRule rule : limits.devices()) {
            files.write(dir.resolve(rule.allow() ? "devices.allow" : "devices.deny"), rule.v1Syntax());
        }
    }
}
