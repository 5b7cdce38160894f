package io.berth.orchestrator.kuberuntime;

import io.fabric8.kubernetes.api.model.PodStatus;

/** How {@link PodRuntime} tells the API layer what it observed; called from the pod workers. */
public interface PodStatusListener {

    /** The pod's status as observed now (phase, conditions, containerStatuses...), whole. */
    void statusChanged(String podUid, PodStatus status);

    /** An event about the pod, as the kubelet records them: type Normal or Warning, a reason in CamelCase. */
    void event(String podUid, String type, String reason, String message);

    /**
     * One step of making a pod's containers, and how long it took: {@code image} (resolving or
     * pulling it), {@code sandbox} (pause, cgroup and network), {@code rootfs} (the overlay root),
     * {@code create} and {@code start} (core-runtime's). Reported for a container's first run only,
     * so the figures are a pod's start-up, not its restarts.
     */
    default void startupStep(String podUid, String step, java.time.Duration took) {
    }

    /** Nothing of the pod is left on the node: the API may now remove its record. */
    void podGone(String podUid);
}
