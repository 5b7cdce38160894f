package io.berth.orchestrator.kuberuntime;

import io.fabric8.kubernetes.api.model.PodStatus;

/** How {@link PodRuntime} tells the API layer what it observed; called from the pod workers. */
public interface PodStatusListener {

    /** The pod's status as observed now (phase, conditions, containerStatuses...), whole. */
    void statusChanged(String podUid, PodStatus status);

    /** An event about the pod, as the kubelet records them: type Normal or Warning, a reason in CamelCase. */
    void event(String podUid, String type, String reason, String message);

    /** Nothing of the pod is left on the node: the API may now remove its record. */
    void podGone(String podUid);
}
