package io.berth.orchestrator.reconcile;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import io.berth.image.rootfs.RootfsManager;
import io.berth.orchestrator.images.ImageManager;
import io.berth.orchestrator.kuberuntime.NodeOptions;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.monitor.AttachMonitors;
import io.berth.orchestrator.monitor.ExitMonitor;
import io.berth.orchestrator.network.PodNetwork;
import io.berth.orchestrator.probe.Prober;
import io.berth.orchestrator.store.NodeRecords;
import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.ContainerRuntime;

/** What every pod worker shares: one of each, made by NodePodRuntime. */
public record NodeServices(
        NodeOptions options,
        PodStatusListener listener,
        ContainerRuntime runtime,
        ImageManager images,
        RootfsManager rootfs,
        NodeRecords records,
        ExitMonitor monitor,
        AttachMonitors attach,
        PodLogs logs,
        RestartBackoff restartBackoff,
        ScheduledExecutorService timers,
        ExecutorService workers,
        CgroupFs cgroupFs,
        Prober prober,
        PodNetwork network) {

    /** A pod's or container's cgroup on the host layout read once (reading mountinfo costs milliseconds). */
    public Cgroup cgroup(String path) {
        return Cgroups.open(path, cgroupFs);
    }
}
