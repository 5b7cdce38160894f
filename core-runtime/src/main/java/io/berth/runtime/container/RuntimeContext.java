package io.berth.runtime.container;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.oci.DefaultSpec;

/**
 * What every lifecycle verb shares: the options, the state store, and the containers this JVM
 * created (whose children it can wait for; containers created by another process are known only
 * by their records).
 */
final class RuntimeContext {
    final RuntimeOptions options;
    final StateStore store;
    final Map<String, Container> live = new ConcurrentHashMap<>();
    /** Where problems go that the spec says must not fail the operation (a failing poststop hook). */
    final Consumer<String> warnings;
    /** The host's cgroup layout, read once: parsing mountinfo on every operation costs milliseconds. */
    private volatile CgroupFs cgroupFs;

    RuntimeContext(RuntimeOptions options, Consumer<String> warnings) {
        this.options = options;
        this.warnings = warnings;
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

    /** The cgroupsPath of a container whose spec names none: {@code <parent>/<id>}. */
    String defaultCgroupsPath(String id) {
        return options.cgroupParent() + "/" + id;
    }

    /**
     * After a container's cgroup went: removes this runtime's cgroup parent when nothing is left
     * in it, so the parent does not outlive the last container (and a parent shared with another
     * runtime stays while that one has containers: the kernel refuses to remove a cgroup in use,
     * and a create racing with the removal makes it again). Containers whose spec named their own
     * cgroupsPath have parents that belong to whoever chose them (a kubelet, containerd).
     */
    void releaseCgroupParent(String cgroupsPath) {
        String parent = options.cgroupParent();
        if (!cgroupsPath.startsWith(parent + "/") || cgroupsPath.indexOf('/', parent.length() + 1) >= 0) {
            return;
        }
        try {
            cgroup(parent).removeIfEmpty();
        } catch (RuntimeException e) {
            warnings.accept("cannot remove the empty cgroup parent " + parent + ": " + e.getMessage());
        }
    }

    /** The state document of {@code record} as a hook sees it: the status is the hook's moment. */
    OciState state(ContainerRecord record, ContainerStatus status) {
        return new OciState(DefaultSpec.OCI_VERSION, record.id(), status, record.pid(), record.bundle(), record.annotations());
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
