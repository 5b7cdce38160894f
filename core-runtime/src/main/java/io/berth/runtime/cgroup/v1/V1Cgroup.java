package io.berth.runtime.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.CgroupStats;
import io.berth.runtime.cgroup.CgroupSignals;
import io.berth.runtime.linux.Signals;

/** A container's cgroup on v1: one directory in every mounted hierarchy. */
public final class V1Cgroup implements Cgroup {
    private final String path;
    private final CgroupFiles files;
    /** Controller name -> this cgroup's directory in that controller's hierarchy. */
    private final Map<String, Path> dirs = new LinkedHashMap<>();
    private final Map<String, Path> mounts;
    /** One directory per hierarchy (co-mounted controllers share one). */
    private final List<Path> hierarchyDirs;

    public V1Cgroup(String path, CgroupFs fs) {
        this.path = path;
        this.files = fs.files();
        this.mounts = fs.v1Mounts();
        fs.v1Mounts().forEach((controller, mount) -> dirs.put(controller, fs.resolve(mount, path)));
        this.hierarchyDirs = List.copyOf(new LinkedHashSet<>(dirs.values()));
    }

    @Override
    public void create() {
        for (Path dir : hierarchyDirs) {
            files.mkdirs(dir);
        }
        Path cpuset = dirs.get(Cpuset.CONTROLLER);
        if (cpuset != null) {
            // Every level below the mount, not only the ones made now: an ancestor left empty by an
            // interrupted create would make the kernel refuse tasks in all its children.
            List<Path> topDown = new ArrayList<>();
            for (Path p = cpuset; p != null && !p.equals(mounts.get(Cpuset.CONTROLLER)); p = p.getParent()) {
                topDown.add(0, p);
            }
            Cpuset.seed(files, topDown);
        }
    }

    @Override
    public void apply(CgroupLimits limits) {
        // Every check before the first write, so a bad value leaves the cgroup as it was.
        requireCreated("apply()");
        if (limits.hasMemory()) {
            Memory.check(files, require(Memory.CONTROLLER, "memoryLimit/memoryReservation"), limits);
        }
        if (limits.hasCpu()) {
            require(Cpu.CONTROLLER, "cpuShares/cpuQuota/cpuPeriod");
        }
        if (limits.hasCpuset()) {
            Cpuset.check(files, require(Cpuset.CONTROLLER, "cpusetCpus/cpusetMems"), limits);
        }
        if (limits.pidsLimit() != null) {
            require(Pids.CONTROLLER, "pidsLimit");
        }
        if (limits.hasDevices()) {
            require(Devices.CONTROLLER, "devices");
        }

        if (limits.hasCpuset()) {
            Cpuset.apply(files, dirs.get(Cpuset.CONTROLLER), limits);
        }
        if (limits.hasMemory()) {
            Memory.apply(files, dirs.get(Memory.CONTROLLER), limits);
        }
        if (limits.hasCpu()) {
            Cpu.apply(files, dirs.get(Cpu.CONTROLLER), limits);
        }
        if (limits.pidsLimit() != null) {
            Pids.apply(files, dirs.get(Pids.CONTROLLER), limits);
        }
        if (limits.hasDevices()) {
            Devices.apply(files, dirs.get(Devices.CONTROLLER), limits);
        }
    }

    private void requireCreated(String operation) {
        for (Path dir : hierarchyDirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("cgroup " + path + " does not exist at " + dir + ": call create() before " + operation);
            }
        }
    }

    private Path require(String controller, String field) {
        Path dir = dirs.get(controller);
        if (dir == null) {
            throw new IllegalArgumentException(field + " needs the cgroup v1 \"" + controller
                    + "\" controller, which is not mounted (mount it under /sys/fs/cgroup/" + controller
                    + " or leave " + field + " unset)");
        }
        return dir;
    }

    @Override
    public void addProcess(int pid) {
        requireCreated("addProcess()");
        for (Path dir : hierarchyDirs) {
            files.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    @Override
    public List<Integer> pids() {
        return files.procsRecursive(procsDir());
    }

    /** Any hierarchy lists the same processes; prefer one that is always a real controller. */
    private Path procsDir() {
        for (String c : List.of(Pids.CONTROLLER, Freezer.CONTROLLER, Memory.CONTROLLER, Cpu.CONTROLLER)) {
            if (dirs.containsKey(c)) {
                return dirs.get(c);
            }
        }
        return hierarchyDirs.get(0);
    }

    @Override
    public long oomKillCount() {
        Path dir = dirs.get(Memory.CONTROLLER);
        if (dir == null) {
            return 0; // no memory controller: no cgroup limit for the OOM killer to enforce
        }
        if (!Files.isDirectory(dir)) {
            // Not 0: a caller comparing counts would take "gone" for "no OOM kill".
            throw new CgroupException("cannot read the OOM kill count of cgroup " + path + ": " + dir + " does not exist");
        }
        return Memory.oomKillCount(files, dir);
    }

    @Override
    public CgroupStats stats() {
        requireCreated("stats()");
        Path mem = dirs.get(Memory.CONTROLLER);
        Path acct = dirs.get(CpuAcct.CONTROLLER);
        Path pids = dirs.get(Pids.CONTROLLER);
        long usage = mem == null ? 0 : Memory.usage(files, mem);
        return new CgroupStats(
                usage,
                mem == null ? 0 : CgroupStats.workingSet(usage, Memory.inactiveFile(files, mem)),
                mem == null ? CgroupLimits.UNLIMITED : Memory.limit(files, mem),
                acct == null ? 0 : CpuAcct.usageNanos(files, acct),
                pids == null ? 0 : Pids.current(files, pids),
                pids == null ? CgroupLimits.UNLIMITED : Pids.limit(files, pids),
                oomKillCount());
    }

    @Override
    public void freeze() {
        requireCreated("freeze()");
        Freezer.freeze(files, require(Freezer.CONTROLLER, "freeze"));
    }

    @Override
    public void thaw() {
        requireCreated("thaw()");
        Freezer.thaw(files, require(Freezer.CONTROLLER, "thaw"));
    }

    @Override
    public boolean frozen() {
        Path dir = dirs.get(Freezer.CONTROLLER);
        return dir != null && Files.isDirectory(dir) && Freezer.frozen(files, dir);
    }

    @Override
    public void killAll(int signal) {
        Path freezer = dirs.get(Freezer.CONTROLLER);
        if (freezer == null || !Files.isDirectory(freezer)) {
            CgroupSignals.signalAll(pids(), signal);
            return;
        }
        CgroupSignals.signalFrozen(this, signal);
    }

    @Override
    public void destroy() {
        // Every hierarchy gets its attempt even if one fails, so a busy memory cgroup does not
        // leave the other eight behind.
        CgroupException failure = null;
        for (Path dir : hierarchyDirs) {
            try {
                files.removeTree(dir);
            } catch (CgroupException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean removeIfEmpty() {
        boolean gone = true;
        for (Path dir : hierarchyDirs) {
            gone &= files.removeIfEmpty(dir);
        }
        return gone;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return "cgroup v1 " + path;
    }
}
