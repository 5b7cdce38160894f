package io.berth.runtime.container;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.Cgroups;

/**
 * What every lifecycle verb shares: the options, the state store, and the containers this JVM
 * created (whose children it can wait for; containers created by another process are known only
 * by their records).
 */
final class RuntimeContext {
    final RuntimeOptions options;
    final StateStore store;
    final Map<String, Container> live = new ConcurrentHashMap<>();
    /** The host's cgroup layout, read once: parsing mountinfo on every operation costs milliseconds. */
    private volatile CgroupFs cgroupFs;

    RuntimeContext(RuntimeOptions options) {
        this.options = options;
        this.store = new StateStore(options.stateRoot());
    }

    /**
     * The record of {@code id}: the one this JVM holds for a container it created (state.json is
     * written once, at create, so it cannot be newer), else the one on disk.
     */
    ContainerRecord record(String id) {
        Container c = live.get(id);
        return c != null ? c.record() : store.load(id);
    }

    Cgroup cgroup(ContainerRecord record) {
        return cgroup(record.cgroupsPath());
    }

    Cgroup cgroup(String cgroupsPath) {
        return Cgroups.open(cgroupsPath, cgroupFs());
    }

    CgroupFs cgroupFs() {
        CgroupFs fs = cgroupFs;
        if (fs == null) {
            fs = CgroupFs.detect();
            cgroupFs = fs;
        }
        return fs;
    }

    /** The status as the OCI spec defines it, from the process and the exec FIFO. */
    ContainerStatus status(ContainerRecord record) {
        if (!record.process().isAlive()) {
            return ContainerStatus.STOPPED;
        }
        if (java.nio.file.Files.exists(store.execFifo(record.id()))) {
            return ContainerStatus.CREATED;
        }
        try {
            if (cgroup(record).frozen()) {
                return ContainerStatus.PAUSED;
            }
        } catch (RuntimeException e) {
            // A cgroup that cannot be read does not make a live container anything but running.
        }
        return ContainerStatus.RUNNING;
    }
}
