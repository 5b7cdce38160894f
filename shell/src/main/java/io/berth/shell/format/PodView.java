package io.berth.shell.format;

import java.util.List;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/** What kubectl shows in a pod's row: READY, STATUS, RESTARTS, worked out as kubectl's printer does. */
public final class PodView {
    private PodView() {
    }

    /** "1/1": ready containers of all containers. */
    public static String ready(Pod pod) {
        int total = pod.getSpec() == null || pod.getSpec().getContainers() == null ? 0 : pod.getSpec().getContainers().size();
        int ready = 0;
        for (ContainerStatus cs : containerStatuses(pod)) {
            if (Boolean.TRUE.equals(cs.getReady())) {
                ready++;
            }
        }
        return ready + "/" + total;
    }

    /**
     * The most telling single word: the pod's reason, else a container's waiting or terminated
     * reason (ErrImagePull, CrashLoopBackOff, Completed, Error), else the phase; Terminating while
     * a deletion is pending.
     */
    public static String status(Pod pod) {
        PodStatus status = pod.getStatus();
        String reason = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        if (status != null && status.getReason() != null && !status.getReason().isEmpty()) {
            reason = status.getReason();
        }
        for (ContainerStatus cs : containerStatuses(pod)) {
            if (cs.getState() == null) {
                continue;
            }
            if (cs.getState().getWaiting() != null && notEmpty(cs.getState().getWaiting().getReason())) {
                reason = cs.getState().getWaiting().getReason();
            } else if (cs.getState().getTerminated() != null) {
                var t = cs.getState().getTerminated();
                if (notEmpty(t.getReason())) {
                    reason = t.getReason();
                } else if (t.getSignal() != null && t.getSignal() != 0) {
                    reason = "Signal:" + t.getSignal();
                } else {
                    reason = "ExitCode:" + t.getExitCode();
                }
            }
        }
        if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
            reason = "Terminating";
        }
        return reason;
    }

    public static int restarts(Pod pod) {
        int n = 0;
        for (ContainerStatus cs : containerStatuses(pod)) {
            if (cs.getRestartCount() != null) {
                n += cs.getRestartCount();
            }
        }
        return n;
    }

    public static List<ContainerStatus> containerStatuses(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return pod.getStatus().getContainerStatuses();
    }

    static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    public static String orNone(String s) {
        return s == null || s.isEmpty() ? "<none>" : s;
    }
}
