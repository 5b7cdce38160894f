package io.berth.orchestrator.kuberuntime;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Collection;

/**
 * The node side of the daemon, as the API layer sees it: the kubelet's half (sandbox, containers,
 * restarts, probes, logs) behind three calls. The API layer owns the records; this owns the
 * processes, and reports what it observes through {@link PodStatusListener}. Every call returns at
 * once: the work happens on the pod's own worker, so one slow pod never holds up another.
 */
public interface PodRuntime extends AutoCloseable {

    /**
     * Makes the node match the pod as stored: starts what should run, restarts per restartPolicy.
     * Idempotent; called when a pod is created or changed, and on every resync.
     */
    void sync(Pod pod);

    /**
     * Stops the pod: SIGTERM to every container, SIGKILL after the grace period, then removes the
     * sandbox, root filesystems and cgroups, and finally calls {@link PodStatusListener#podGone}.
     */
    void terminate(String podUid, Duration gracePeriod);

    /**
     * After a daemon restart, with every pod the records hold: adopts the containers still running
     * (pid and process start time must both match), records the exits that happened meanwhile, and
     * removes what belongs to no recorded pod.
     */
    void resume(Collection<Pod> pods);

    /**
     * {@link #resume(Collection)}, with the pods' adoption held until {@code admit} completes (the
     * daemon's API has started: adopting on its 2 cores beside the start made the start wait). A
     * request about a pod adopts it at once all the same. By default, adoption does not wait.
     */
    default void resume(Collection<Pod> pods, java.util.concurrent.CompletionStage<?> admit) {
        resume(pods);
    }

    /**
     * Runs {@code command} in the pod's running container {@code containerName}, as kubectl exec
     * does: in the container's namespaces and cgroup, with the container's environment; a pty when
     * {@code tty} (then {@code stdio} must be {@code ContainerIo.terminal()}). Returns once it has
     * exec'd; the caller waits for it and closes it.
     *
     * @throws java.util.NoSuchElementException when the container is not running
     */
    default io.berth.runtime.container.ExecProcess exec(String podUid, String containerName, java.util.List<String> command,
                                                        boolean tty, io.berth.runtime.container.ContainerIo stdio) {
        throw new UnsupportedOperationException("this node side cannot run processes in containers");
    }

    /**
     * The attach socket of the running container's {@code berth-monitor} (every run has one, and it
     * outlives daemon restarts); empty when the run has none (made before every run had one), whose
     * output is then its log file.
     *
     * @throws java.util.NoSuchElementException when the container is not running
     */
    default java.util.Optional<java.nio.file.Path> attachSocket(String podUid, String containerName) {
        return java.util.Optional.empty();
    }

    /**
     * The network namespace of the pod's running sandbox, {@code /proc/<pause pid>/ns/net}: where
     * port-forward connects to the pod's ports, as the kubelet does.
     *
     * @throws java.util.NoSuchElementException when the pod has no running sandbox
     */
    default String networkNamespace(String podUid) {
        throw new UnsupportedOperationException("this node side has no pod network namespaces");
    }

    /** Stops the workers; containers keep running (a stopped daemon leaves pods running). */
    @Override
    void close();
}
