package io.berth.runtime.cgroup;

import java.util.List;

/**
 * One container's cgroup, across every hierarchy (v1: one directory per controller mount; v2: one
 * directory). Obtained from {@link Cgroups#open}; opening touches nothing, {@link #create()} does.
 */
public interface Cgroup {
    /**
     * Makes the directories (and missing ancestors). v1 also copies cpuset.cpus/mems down from the
     * parent, since the kernel refuses tasks in a cpuset that has none; v2 enables the controllers
     * in every ancestor's cgroup.subtree_control. Existing directories are reused.
     */
    void create();

    /**
     * Writes the limits that are set (null fields are left alone). Checks everything it can before
     * the first write (controllers present, cpusets inside the parent's, device rules supported),
     * throwing {@link IllegalArgumentException} naming the field and the rule; a write the kernel
     * still refuses throws {@link CgroupException} naming the file; the cgroup may then hold some
     * of the limits, so a caller that gives up should {@link #destroy()} it.
     */
    void apply(CgroupLimits limits);

    /** Moves a process (all its threads) into this cgroup in every hierarchy. */
    void addProcess(int pid);

    /** PIDs in this cgroup and any cgroups below it; empty if it does not exist. */
    List<Integer> pids();

    /** How many processes the kernel's OOM killer has killed in this cgroup. */
    long oomKillCount();

    CgroupStats stats();

    /** Freezes every process and waits until the kernel reports the cgroup frozen. */
    void freeze();

    void thaw();

    boolean frozen();

    /**
     * Sends {@code signal} to every process in the cgroup. The cgroup is frozen meanwhile so that a
     * fork cannot escape the signal (v2 uses cgroup.kill for SIGKILL when the kernel has it).
     */
    void killAll(int signal);

    /** Removes the directories, children first; retries briefly while the kernel says busy. Idempotent. */
    void destroy();

    /**
     * Removes the directories if no cgroup below and no process is left in them, without waiting
     * or retrying: for a parent shared by containers, after its last one went. True when it is
     * gone from every hierarchy (absent counts); false when something still uses it somewhere,
     * leaving it there (on v1 possibly removed from the hierarchies where it was empty: a later
     * create makes it again).
     */
    boolean removeIfEmpty();

    /** The cgroupsPath this cgroup was opened with. */
    String path();
}
