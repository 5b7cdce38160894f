package io.berth.runtime.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.CgroupStats;
import io.berth.runtime.cgroup.CgroupSignals;
import io.berth.runtime.linux.Signals;

/** A container's cgroup on the v2 unified hierarchy: one directory. */
public final class V2Cgroup implements Cgroup {
    /** The controllers Berth writes limits for, in the order they are enabled. */
    private static final List<String> WANTED = List.of(Cpu.CONTROLLER, Cpuset.CONTROLLER, Memory.CONTROLLER, Pids.CONTROLLER);

    private final String path;
    private final CgroupFiles files;
    private final Path root;
    private final Path dir;

    public V2Cgroup(String path, CgroupFs fs) {
        this.path = path;
        this.files = fs.files();
        this.root = fs.v2Root();
        this.dir = fs.resolve(root, path);
    }

    /** The directory of this cgroup (v2 has exactly one). */
    public Path dir() {
        return dir;
    }

    @Override
    public void create() {
        files.mkdirs(dir);
        // A controller's files appear in a cgroup only when every ancestor has it in
        // cgroup.subtree_control; the leaf keeps its own empty, so it may hold processes.
        List<String> enable = new ArrayList<>();
        Set<String> available = available();
        for (String c : WANTED) {
            if (available.contains(c)) {
                enable.add("+" + c);
            }
        }
        if (enable.isEmpty()) {
            return;
        }
        String line = String.join(" ", enable);
        for (Path p = dir.getParent(); p != null && p.startsWith(root); p = p.getParent()) {
            files.write(p.resolve("cgroup.subtree_control"), line);
        }
    }

    /** Controllers the hierarchy offers (cgroup.controllers at its root). */
    private Set<String> available() {
        Path f = root.resolve("cgroup.controllers");
        if (!files.exists(f)) {
            return Set.of();
        }
        return Set.copyOf(Arrays.asList(files.read(f).split("\\s+")));
    }

    @Override
    public void apply(CgroupLimits limits) {
        requireCreated("apply()");
        Devices.check(files, limits);
        if (limits.hasMemory()) {
            require(Memory.CONTROLLER, "memoryLimit/memoryReservation");
            Memory.check(files, dir, limits);
        }
        if (limits.hasCpu()) {
            require(Cpu.CONTROLLER, "cpuShares/cpuQuota/cpuPeriod");
        }
        if (limits.hasCpuset()) {
            require(Cpuset.CONTROLLER, "cpusetCpus/cpusetMems");
            Cpuset.check(files, dir, limits);
        }
        if (limits.pidsLimit() != null) {
            require(Pids.CONTROLLER, "pidsLimit");
        }

        Cpuset.apply(files, dir, limits);
        Memory.apply(files, dir, limits);
        Cpu.apply(files, dir, limits);
        Pids.apply(files, dir, limits);
        Devices.apply(files, dir, limits);
    }

    private void requireCreated(String operation) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("cgroup " + path + " does not exist at " + dir + ": call create() before " + operation);
        }
    }

    private void require(String controller, String field) {
        Path leaf = dir.resolve("cgroup.controllers");
        boolean ok = files.exists(leaf) ? Set.of(files.read(leaf).split("\\s+")).contains(controller)
                : available().contains(controller);
        if (!ok) {
            throw new IllegalArgumentException(field + " needs the cgroup v2 \"" + controller + "\" controller, which "
                    + root + " does not offer to this cgroup (see cgroup.controllers and cgroup.subtree_control)"
                    + " ; leave " + field + " unset on this host");
        }
    }

    @Override
    public void addProcess(int pid) {
        requireCreated("addProcess()");
        files.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public List<Integer> pids() {
        return files.procsRecursive(dir);
    }

    @Override
    public long oomKillCount() {
        if (!Files.isDirectory(dir)) {
            // Not 0: a caller comparing counts would take "gone" for "no OOM kill".
            throw new CgroupException("cannot read the OOM kill count of cgroup " + path + ": " + dir + " does not exist");
        }
        return Memory.oomKillCount(files, dir);
    }

    @Override
    public CgroupStats stats() {
        requireCreated("stats()");
        long usage = Memory.usage(files, dir);
        return new CgroupStats(usage, CgroupStats.workingSet(usage, Memory.inactiveFile(files, dir)),
                Memory.limit(files, dir), Cpu.usageNanos(files, dir),
                Pids.current(files, dir), Pids.limit(files, dir), oomKillCount());
    }

    @Override
    public void freeze() {
        requireCreated("freeze()");
        Freezer.freeze(files, dir);
    }

    @Override
    public void thaw() {
        requireCreated("thaw()");
        Freezer.thaw(files, dir);
    }

    @Override
    public boolean frozen() {
        return Files.isDirectory(dir) && Freezer.frozen(files, dir);
    }

    @Override
    public void killAll(int signal) {
        Path kill = dir.resolve("cgroup.kill");
        if (signal == Signals.SIGKILL && files.exists(kill)) {
            // Kernel 5.14+: kills the whole subtree atomically, forks included, frozen or not.
            files.write(kill, "1");
            // As signalFrozen does after SIGKILL: a killed container is not "paused". Read the
            // request, not cgroup.events: while tasks die the events file briefly says "not frozen".
            Path freeze = dir.resolve("cgroup.freeze");
            if (files.exists(freeze) && files.read(freeze).equals("1")) {
                thaw();
            }
            return;
        }
        if (!files.exists(dir.resolve("cgroup.freeze"))) {
            CgroupSignals.signalAll(pids(), signal);
            return;
        }
        CgroupSignals.signalFrozen(this, signal);
    }

    @Override
    public void destroy() {
        files.removeTree(dir);
    }

    @Override
    public boolean removeIfEmpty() {
        return files.removeIfEmpty(dir);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return "cgroup v2 " + path;
    }
}
