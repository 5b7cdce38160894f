package io.berth.orchestrator.kuberuntime;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.berth.image.rootfs.RootfsManager;
import io.berth.orchestrator.daemon.HostNode;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.reconcile.BackoffPolicy;

/**
 * How a {@link NodePodRuntime} is set up. Everything lives under {@code stateRoot} (layout in
 * docs/architecture.md, "The node side"); pods' cgroups under {@code cgroupParent}
 * ({@code <parent>/pod<uid>/<container id>}); tests give each run its own of both.
 *
 * @param restartBackoff   CrashLoopBackOff delays ({@link BackoffPolicy#KUBELET}, or {@link BackoffPolicy#KEP_4603})
 * @param imagePullBackoff ImagePullBackOff delays
 * @param resyncInterval   how often every pod is reconciled even when nothing happened
 * @param clock            timestamps and backoff arithmetic
 */
public record NodeOptions(
        Path stateRoot,
        String cgroupParent,
        BackoffPolicy restartBackoff,
        BackoffPolicy imagePullBackoff,
        Duration resyncInterval,
        Clock clock,
        String nodeName,
        String hostIP,
        long logMaxBytes,
        int logMaxFiles,
        RootfsManager.Mode rootfsMode) {

    public static final String DEFAULT_CGROUP_PARENT = "/berth";

    public NodeOptions {
        if (!cgroupParent.startsWith("/")) {
            throw new IllegalArgumentException("cgroup parent '" + cgroupParent + "' must be absolute, like /berth");
        }
        stateRoot = stateRoot.toAbsolutePath().normalize();
    }

    /** Named as the API names the node: {@link HostNode} is the one source of the node's name and IP. */
    public static NodeOptions defaults(Path stateRoot) {
        HostNode host = HostNode.detect();
        return new NodeOptions(stateRoot, DEFAULT_CGROUP_PARENT, BackoffPolicy.KUBELET, BackoffPolicy.KUBELET,
                Duration.ofSeconds(10), Clock.systemUTC(), host.name(), host.ip(), PodLogs.DEFAULT_MAX_BYTES, PodLogs.DEFAULT_MAX_FILES,
                RootfsManager.Mode.AUTO);
    }

    public NodeOptions withCgroupParent(String parent) {
        return new NodeOptions(stateRoot, parent, restartBackoff, imagePullBackoff, resyncInterval, clock, nodeName, hostIP,
                logMaxBytes, logMaxFiles, rootfsMode);
    }

    public NodeOptions withRestartBackoff(BackoffPolicy b) {
        return new NodeOptions(stateRoot, cgroupParent, b, imagePullBackoff, resyncInterval, clock, nodeName, hostIP,
                logMaxBytes, logMaxFiles, rootfsMode);
    }

    public NodeOptions withImagePullBackoff(BackoffPolicy b) {
        return new NodeOptions(stateRoot, cgroupParent, restartBackoff, b, resyncInterval, clock, nodeName, hostIP,
                logMaxBytes, logMaxFiles, rootfsMode);
    }

    public NodeOptions withResyncInterval(Duration d) {
        return new NodeOptions(stateRoot, cgroupParent, restartBackoff, imagePullBackoff, d, clock, nodeName, hostIP,
                logMaxBytes, logMaxFiles, rootfsMode);
    }

    public NodeOptions withClock(Clock c) {
        return new NodeOptions(stateRoot, cgroupParent, restartBackoff, imagePullBackoff, resyncInterval, c, nodeName, hostIP,
                logMaxBytes, logMaxFiles, rootfsMode);
    }

    public NodeOptions withLogRotation(long maxBytes, int maxFiles) {
        return new NodeOptions(stateRoot, cgroupParent, restartBackoff, imagePullBackoff, resyncInterval, clock, nodeName, hostIP,
                maxBytes, maxFiles, rootfsMode);
    }

    // ---- the layout under stateRoot: one place for each path ------------------------------------

    /** Image store root: images/ and containers/<id>/ (the per-container overlay roots). */
    public Path imageRoot() {
        return stateRoot;
    }

    /** The per-container root filesystems' directories, {@code containers/<id>/} under the image root (image-store's layout). */
    public Path containersDir() {
        return imageRoot().resolve("containers");
    }

    /** core-runtime's --root: one state.json and exec FIFO per container. */
    public Path runtimeRoot() {
        return stateRoot.resolve("runtime");
    }

    /** The node's records: one JSON per pod. */
    public Path recordsDir() {
        return stateRoot.resolve("node");
    }

    /** Exits not yet in the records ({@link io.berth.orchestrator.monitor.ExitFiles}). */
    public Path exitsDir() {
        return stateRoot.resolve("exits");
    }

    /** One directory per container run's monitor ({@link io.berth.orchestrator.monitor.AttachMonitors}). */
    public Path attachRoot() {
        return stateRoot.resolve("attach");
    }

    /** pause, berth-subreaper and berth-monitor, extracted from the jar. */
    public Path binDir() {
        return stateRoot.resolve("bin");
    }

    /** The sandbox's root filesystem: the pause binary and nothing else. */
    public Path sandboxRootfs() {
        return stateRoot.resolve("sandbox-rootfs");
    }

    /** Every pod's emptyDir volumes: one directory per pod uid. */
    public Path volumesRoot() {
        return stateRoot.resolve("volumes");
    }

    /** A pod's emptyDir volumes, one directory each ({@link PodVolumes}). */
    public Path volumesDir(String podUid) {
        return volumesRoot().resolve(podUid);
    }

    // ---- the cgroup layout: one place, for the pod workers and the metrics that read the cgroups --

    /** The pod's cgroup, relative to the hierarchy roots: {@code <cgroupParent>/pod<uid>}. */
    public String podCgroup(String podUid) {
        return podCgroup(cgroupParent, podUid);
    }

    /** A runtime container's cgroup (sandbox or container) inside its pod's. */
    public String containerCgroup(String podUid, String containerId) {
        return containerCgroup(cgroupParent, podUid, containerId);
    }

    /** The same, for readers that know only the parent (the metrics, configured by the same property). */
    public static String podCgroup(String cgroupParent, String podUid) {
        return cgroupParent + "/pod" + podUid;
    }

    public static String containerCgroup(String cgroupParent, String podUid, String containerId) {
        return podCgroup(cgroupParent, podUid) + "/" + containerId;
    }

    public PodLogs logs() {
        return new PodLogs(stateRoot, attachRoot());
    }
}
