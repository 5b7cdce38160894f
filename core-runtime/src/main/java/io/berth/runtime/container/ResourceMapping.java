package io.berth.runtime.container;

import java.util.ArrayList;
import java.util.List;

import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.DeviceRule;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;

/** OCI linux.resources to cgroup limits (OCI already uses cgroup v1 units). */
final class ResourceMapping {
    /**
     * The device nodes every container gets (see RootfsSetup) stay usable under a deny-all rule,
     * as runc allows them: mknod of anything, then null, zero, full, random, urandom, tty, console,
     * ptmx and the pts slaves.
     */
    private static final List<DeviceRule> DEFAULT_ALLOWED_DEVICES = List.of(
            DeviceRule.allow("c", null, null, "m"), DeviceRule.allow("b", null, null, "m"),
            DeviceRule.allow("c", 1L, 3L, "rwm"), DeviceRule.allow("c", 1L, 5L, "rwm"),
            DeviceRule.allow("c", 1L, 7L, "rwm"), DeviceRule.allow("c", 1L, 8L, "rwm"),
            DeviceRule.allow("c", 1L, 9L, "rwm"), DeviceRule.allow("c", 5L, 0L, "rwm"),
            DeviceRule.allow("c", 5L, 1L, "rwm"), DeviceRule.allow("c", 5L, 2L, "rwm"),
            DeviceRule.allow("c", 136L, null, "rwm"));

    private ResourceMapping() {
    }

    static CgroupLimits limits(Spec spec) {
        Spec.Resources r = spec.linux() == null ? null : spec.linux().resources();
        if (r == null) {
            return CgroupLimits.NONE;
        }
        CgroupLimits.Builder b = CgroupLimits.builder();
        if (r.memory() != null) {
            b.memoryLimit(r.memory().limit()).memoryReservation(r.memory().reservation()).memorySwap(r.memory().swap())
                    .memoryOomKillDisable(r.memory().disableOomKiller());
            // As runc: -1 (2^64-1 in the spec's uint64, read as -1 by Spec.Memory) means "leave it alone".
            Long swappiness = r.memory().swappiness();
            if (swappiness != null && swappiness != -1) {
                b.memorySwappiness(swappiness);
            }
        }
        if (r.cpu() != null) {
            b.cpuShares(r.cpu().shares()).cpuQuota(r.cpu().quota()).cpuPeriod(r.cpu().period())
                    .cpusetCpus(blankToNull(r.cpu().cpus())).cpusetMems(blankToNull(r.cpu().mems()));
        }
        // As runc: 0 means "not set", any negative value unlimited.
        if (r.pids() != null && r.pids().limit() != 0) {
            b.pidsLimit(r.pids().limit() < 0 ? CgroupLimits.UNLIMITED : r.pids().limit());
        }
        if (!r.devices().isEmpty()) {
            List<DeviceRule> rules = new ArrayList<>();
            for (Spec.DeviceRule d : r.devices()) {
                rules.add(new DeviceRule(d.allow(), d.type() == null ? "a" : d.type(), d.major(), d.minor(), d.access()));
            }
            rules.addAll(DEFAULT_ALLOWED_DEVICES);
            b.devices(rules);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("linux.resources: " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
