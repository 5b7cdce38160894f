package io.berth.orchestrator.reconcile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
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

    /**
     * The ids of every runtime container and root filesystem on the node, by name only (nothing is
     * read or checked): what a pod has left behind is the ids that start with its uid and '_'.
     */
    public Set<String> containerIds() {
        Set<String> ids = new TreeSet<>(runtime.ids());
        Path containers = options.containersDir();
        if (Files.isDirectory(containers)) {
            try (var dirs = Files.list(containers)) {
                dirs.forEach(d -> ids.add(d.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + containers, e);
            }
        }
        return ids;
    }

    /** The pod a runtime container or root filesystem id belongs to ({@code <pod uid>_...}), or the id itself. */
    public static String podOf(String id) {
        int u = id.indexOf('_');
        return u < 0 ? id : id.substring(0, u);
    }

    /** A pod's or container's cgroup on the host layout read once (reading mountinfo costs milliseconds). */
    public Cgroup cgroup(String path) {
        return Cgroups.open(path, cgroupFs);
    }
}
