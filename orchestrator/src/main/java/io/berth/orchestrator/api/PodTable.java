package io.berth.orchestrator.api;

import io.berth.apimachinery.duration.HumanDuration;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The columns of {@code kubectl get pods} (and {@code -o wide}), computed as the apiserver's printer does. */
final class PodTable {

    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("Name", "string", "Name must be unique within a namespace."),
            Table.Column.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            Table.Column.of("Status", "string", "The aggregate status of the containers in this pod."),
            Table.Column.of("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            Table.Column.of("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
            Table.Column.of("IP", "string", "IP address allocated to the pod.").wide(),
            Table.Column.of("Node", "string", "NodeName is a request to schedule this pod onto a specific node.").wide(),
            Table.Column.of("Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.").wide(),
            Table.Column.of("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.").wide());

    private PodTable() {
    }

    static Table.Row row(Pod pod, String includeObject, Instant now) {
        PodStatus st = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        int total = pod.getSpec().getContainers().size();
        int ready = 0;
        int restarts = 0;
        Instant lastRestart = null;
        String reason = st.getReason() != null && !st.getReason().isEmpty() ? st.getReason()
                : st.getPhase() == null ? "Pending" : st.getPhase();

        boolean initializing = false;
        List<ContainerStatus> inits = st.getInitContainerStatuses() == null ? List.of() : st.getInitContainerStatuses();
        for (int i = 0; i < inits.size(); i++) {
            ContainerStatus c = inits.get(i);
            restarts += c.getRestartCount() == null ? 0 : c.getRestartCount();
            lastRestart = later(lastRestart, c);
            var s = c.getState();
            if (s != null && s.getTerminated() != null && Integer.valueOf(0).equals(s.getTerminated().getExitCode())) {
                continue;
            }
            if (s != null && s.getTerminated() != null) {
                var t = s.getTerminated();
                reason = t.getReason() != null && !t.getReason().isEmpty() ? "Init:" + t.getReason()
                        : t.getSignal() != null && t.getSignal() != 0 ? "Init:Signal:" + t.getSignal() : "Init:ExitCode:" + t.getExitCode();
            } else if (s != null && s.getWaiting() != null && s.getWaiting().getReason() != null
                    && !s.getWaiting().getReason().isEmpty() && !s.getWaiting().getReason().equals("PodInitializing")) {
                reason = "Init:" + s.getWaiting().getReason();
            } else {
                reason = "Init:" + i + "/" + pod.getSpec().getInitContainers().size();
            }
            initializing = true;
            break;
        }
        if (!initializing) {
            restarts = 0;
            boolean hasRunning = false;
            List<ContainerStatus> cs = st.getContainerStatuses() == null ? List.of() : new ArrayList<>(st.getContainerStatuses());
            for (int i = cs.size() - 1; i >= 0; i--) {
                ContainerStatus c = cs.get(i);
                restarts += c.getRestartCount() == null ? 0 : c.getRestartCount();
                lastRestart = later(lastRestart, c);
                var s = c.getState();
                if (s != null && s.getWaiting() != null && s.getWaiting().getReason() != null && !s.getWaiting().getReason().isEmpty()) {
                    reason = s.getWaiting().getReason();
                } else if (s != null && s.getTerminated() != null) {
                    var t = s.getTerminated();
                    reason = t.getReason() != null && !t.getReason().isEmpty() ? t.getReason()
                            : t.getSignal() != null && t.getSignal() != 0 ? "Signal:" + t.getSignal() : "ExitCode:" + t.getExitCode();
                } else if (s != null && s.getRunning() != null && Boolean.TRUE.equals(c.getReady())) {
                    hasRunning = true;
                    ready++;
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = "Running";
            }
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            reason = "Terminating";
        }
        String restartCell = restarts == 0 || lastRestart == null ? Integer.toString(restarts)
                : restarts + " (" + HumanDuration.of(java.time.Duration.between(lastRestart, now)) + " ago)";
        String ip = st.getPodIP() == null || st.getPodIP().isEmpty() ? "<none>" : st.getPodIP();
        String node = pod.getSpec().getNodeName() == null ? "<none>" : pod.getSpec().getNodeName();
        List<Object> cells = List.of(pod.getMetadata().getName(), ready + "/" + total, reason, restartCell,
                Table.age(pod.getMetadata().getCreationTimestamp(), now), ip, node, "<none>", "<none>");
        return new Table.Row(cells, Table.rowObject(pod, includeObject));
    }

    private static Instant later(Instant known, ContainerStatus c) {
        var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
        if (last == null || last.getFinishedAt() == null) {
            return known;
        }
        Instant t = Instant.parse(last.getFinishedAt());
        return known == null || t.isAfter(known) ? t : known;
    }
}
