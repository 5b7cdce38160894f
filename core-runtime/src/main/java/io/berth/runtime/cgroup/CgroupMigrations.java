package io.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.MountFlags;

/**
 * How fast a process can be moved into a cgroup. Every create places its process by writing
 * cgroup.procs (nine times on this machine kind's v1 layout). Each such write takes the kernel's
 * global cgroup_threadgroup_rwsem for writing, and the first one after a quiet spell (no other write
 * within about a grace period, as between a node's container starts) waits out an RCU grace period
 * first: 10 ms p50 at load 10 here, 7-9 ms of a pod container's create (docs/benchmarks.md, "The node:
 * exit to restart"), its largest part; writes in a tight loop, as RuntimeBenchmark's, do not see it. The kernel's answer is the cgroup2 mount option
 * favordynmods ("reduce the latencies of dynamic cgroup modifications such as task migrations ... at
 * the cost of making hot path operations such as forks and exits more expensive"), which applies to
 * every hierarchy, v1 ones included. A node that starts containers all day wants it; a library
 * should not change a host behind its caller's back, so this is a call its owner makes (the daemon
 * does at start, berth.node.favor-cgroup-migrations).
 */
public final class CgroupMigrations {
    static final String OPTION = "favordynmods";

    /** What {@link #favorDynamicModifications()} found or did, in a sentence for the log. */
    public record Outcome(boolean changed, boolean on, String message) {
    }

    /** The mount(2) call that turns the option on, keeping every other option of the mount. */
    record Remount(String mountPoint, long flags, String data) {
    }

    private CgroupMigrations() {
    }

    /**
     * Turns favordynmods on by remounting the host's cgroup2 mount (the unified one on a v2 host,
     * /sys/fs/cgroup/unified on a hybrid one) with it, keeping its other options. Linux 6.18 cannot
     * turn it off again ("per threadgroup rwsem mechanism can't be disabled") until reboot. Never throws: a host without a cgroup2 mount, or
     * one that refuses, is told in the outcome and keeps working, only slower.
     */
    public static Outcome favorDynamicModifications() {
        String mountinfo;
        try {
            mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return new Outcome(false, false, "cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        if (isOn(mountinfo)) {
            return new Outcome(false, true, "cgroup " + OPTION + " is on already");
        }
        Remount r = remount(mountinfo);
        if (r == null) {
            return new Outcome(false, false, "no cgroup2 mount to set " + OPTION + " on: each container start waits"
                    + " out an RCU grace period to place its process in its cgroups (mount a cgroup2 hierarchy to avoid it)");
        }
        try {
            LibC.mount(null, r.mountPoint(), null, r.flags(), r.data());
        } catch (LibC.SyscallException e) {
            return new Outcome(false, false, "could not turn on cgroup " + OPTION + " (" + e.getMessage() + "; Linux 6.0"
                    + " or later has it): each container start waits out an RCU grace period to place its process in its cgroups");
        }
        return new Outcome(true, true, "turned on cgroup " + OPTION + " at " + r.mountPoint() + " (data \"" + r.data()
                + "\"): placing a container's process in its cgroups no longer waits for an RCU grace period");
    }

    /** True when a cgroup2 mount of this mountinfo carries the option (it is one flag for all). */
    static boolean isOn(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] f = fields(line);
            if (f != null && f[2].equals("cgroup2") && List.of(f[3].split(",")).contains(OPTION)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The remount of the first cgroup2 mount: mount(2) with MS_REMOUNT resets the per-mount flags
     * it is not given (nosuid, nodev, noexec, ro) and the superblock's options to what its data
     * says, so both are carried over from mountinfo. Null when there is no cgroup2 mount.
     */
    static Remount remount(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] f = fields(line);
            if (f == null || !f[2].equals("cgroup2")) {
                continue;
            }
            long flags = MountFlags.REMOUNT;
            for (String o : f[1].split(",")) {
                flags |= switch (o) {
                    case "ro" -> MountFlags.RDONLY;
                    case "nosuid" -> MountFlags.NOSUID;
                    case "nodev" -> MountFlags.NODEV;
                    case "noexec" -> MountFlags.NOEXEC;
                    default -> 0; // atime flags are kept by the kernel when none is given
                };
            }
            List<String> data = new ArrayList<>();
            for (String o : f[3].split(",")) {
                if (!o.equals("rw") && !o.equals("ro") && !o.isEmpty()) {
                    data.add(o);
                }
            }
            data.add(OPTION);
            return new Remount(f[0], flags, String.join(",", data));
        }
        return null;
    }

    /** {mount point, per-mount options, fs type, super options} of a mountinfo line, or null. */
    private static String[] fields(String line) {
        int dash = line.indexOf(" - ");
        if (dash < 0) {
            return null;
        }
        String[] left = line.substring(0, dash).split(" ");
        String[] right = line.substring(dash + 3).split(" ");
        if (left.length < 6 || right.length < 3) {
            return null;
        }
        return new String[] {CgroupFs.unescape(left[4]), left[5], right[0], right[2]};
    }
}
