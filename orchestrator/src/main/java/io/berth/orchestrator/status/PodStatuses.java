package io.berth.orchestrator.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.berth.orchestrator.store.PodRecord;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The pod's status as the API shows it, computed from the node's record (the kubelet's
 * status/generate.go and kubelet_pods.go getPhase): phase, conditions, container statuses, QoS.
 */
public final class PodStatuses {
    /** Why a container is waiting when nothing has exited (ContainerCreating, ErrImagePull, CrashLoopBackOff...). */
    public record Waiting(String reason, String message) {
    }

    /** What the worker knows besides the record. */
    public record Observed(Map<String, Waiting> waiting, Map<String, Boolean> ready, Map<String, Boolean> started,
            Map<String, Instant> conditionTimes, String hostIP, boolean sandboxReady, Instant now) {
    }

    private PodStatuses() {
    }

    public static final String CONTAINER_ID_PREFIX = "berth://";

    public static PodStatus build(Pod pod, PodRecord rec, Observed o) {
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        List<Container> apps = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        List<ContainerStatus> initStatuses = new ArrayList<>();
        for (Container c : inits) {
            initStatuses.add(containerStatus(c, rec.containers.get(c.getName()), o, true, "PodInitializing"));
        }
        // While init containers are incomplete the app containers wait as PodInitializing, then as ContainerCreating.
        boolean initsComplete = initStatuses.stream().allMatch(PodStatuses::completed);
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : apps) {
            statuses.add(containerStatus(c, rec.containers.get(c.getName()), o, false,
                    initsComplete ? "ContainerCreating" : "PodInitializing"));
        }
        String restartPolicy = restartPolicy(pod);
        String phase = phase(restartPolicy, inits, initStatuses, statuses);
        List<String> incompleteInit = new ArrayList<>();
        for (ContainerStatus s : initStatuses) {
            if (!completed(s)) {
                incompleteInit.add(s.getName());
            }
        }
        List<String> unready = new ArrayList<>();
        for (ContainerStatus s : statuses) {
            if (!Boolean.TRUE.equals(s.getReady())) {
                unready.add(s.getName());
            }
        }
        boolean initialized = incompleteInit.isEmpty() || "Succeeded".equals(phase);
        boolean containersReady = unready.isEmpty() && !"Succeeded".equals(phase) && !"Failed".equals(phase);
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition(o, "PodReadyToStartContainers", o.sandboxReady(), null, null));
        conditions.add(condition(o, "Initialized", initialized, "ContainersNotInitialized",
                "containers with incomplete status: " + incompleteInit));
        String unreadyMsg = "containers with unready status: " + unready;
        String reason = "Succeeded".equals(phase) || "Failed".equals(phase) ? "PodCompleted" : "ContainersNotReady";
        conditions.add(condition(o, "Ready", containersReady, reason, unready.isEmpty() ? null : unreadyMsg));
        conditions.add(condition(o, "ContainersReady", containersReady, reason, unready.isEmpty() ? null : unreadyMsg));
        conditions.add(condition(o, "PodScheduled", true, null, null));
        return new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(conditions)
                .withHostIP(o.hostIP())
                .withHostIPs(new HostIP(o.hostIP()))
                .withPodIP(podIPs(rec).isEmpty() ? null : podIPs(rec).get(0))
                .withPodIPs(podIPs(rec).stream().map(io.fabric8.kubernetes.api.model.PodIP::new).toList())
                .withStartTime(rec.startTime)
                .withInitContainerStatuses(initStatuses)
                .withContainerStatuses(statuses)
                .withQosClass(qosClass(pod))
                .build();
    }

    /**
     * The sandbox's addresses, IPv4 first (the kubelet's podIPs order); for a finished pod whose
     * sandbox is stopped, those it had.
     */
    static List<String> podIPs(PodRecord rec) {
        if (rec.sandbox == null) {
            return rec.lastPodIPs == null ? List.of() : rec.lastPodIPs;
        }
        return rec.sandbox.ips == null ? List.of() : rec.sandbox.ips;
    }

    public static String restartPolicy(Pod pod) {
        String p = pod.getSpec().getRestartPolicy();
        return p == null || p.isEmpty() ? "Always" : p;
    }

    private static boolean completed(ContainerStatus s) {
        ContainerState st = s.getState();
        return st != null && st.getTerminated() != null && Integer.valueOf(0).equals(st.getTerminated().getExitCode());
    }

    /** kubelet_pods.go getPhase. */
    static String phase(String restartPolicy, List<Container> inits, List<ContainerStatus> initStatuses, List<ContainerStatus> statuses) {
        boolean pendingInit = false;
        for (ContainerStatus s : initStatuses) {
            if (completed(s)) {
                continue;
            }
            ContainerState st = s.getState();
            boolean failed = (st.getTerminated() != null)
                    || (st.getWaiting() != null && s.getLastState() != null && s.getLastState().getTerminated() != null
                            && !Integer.valueOf(0).equals(s.getLastState().getTerminated().getExitCode()));
            if (failed && "Never".equals(restartPolicy)) {
                return "Failed";
            }
            pendingInit = true;
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerStatus s : statuses) {
            ContainerState st = s.getState();
            if (st.getRunning() != null) {
                running++;
            } else if (st.getTerminated() != null) {
                stopped++;
                if (Integer.valueOf(0).equals(st.getTerminated().getExitCode())) {
                    succeeded++;
                }
            } else if (s.getLastState() != null && s.getLastState().getTerminated() != null) {
                stopped++; // waiting to restart: it has run
            } else {
                waiting++;
            }
        }
        if (pendingInit) {
            return "Pending";
        }
        if (waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            if ("Always".equals(restartPolicy)) {
                return "Running";
            }
            if (stopped == succeeded) {
                return "Succeeded";
            }
            if ("Never".equals(restartPolicy)) {
                return "Failed";
            }
            return "Running";
        }
        return "Pending";
    }

    private static PodCondition condition(Observed o, String type, boolean status, String reason, String message) {
        String s = status ? "True" : "False";
        Instant t = o.conditionTimes().compute(type + "=" + s, (k, v) -> v == null ? o.now() : v);
        o.conditionTimes().remove(type + "=" + (status ? "False" : "True"));
        PodConditionBuilder b = new PodConditionBuilder().withType(type).withStatus(s).withLastTransitionTime(t.toString());
        if (!status) {
            b.withReason(reason).withMessage(message);
        }
        return b.build();
    }

    static ContainerStatus containerStatus(Container c, PodRecord.ContainerEntry e, Observed o, boolean init, String defaultWaiting) {
        ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage());
        PodStatuses.Waiting w = o.waiting().get(c.getName());
        PodRecord.Instance cur = e == null ? null : e.current;
        boolean hasLast = false;
        boolean running = cur != null && cur.state == PodRecord.InstanceState.RUNNING;
        b.withRestartCount(cur == null ? 0 : cur.attempt);
        if (cur != null) {
            b.withContainerID(CONTAINER_ID_PREFIX + cur.id).withImageID(cur.imageID == null ? "" : cur.imageID);
        } else {
            b.withImageID("");
        }
        if (running) {
            b.withState(new ContainerStateBuilder().withNewRunning().withStartedAt(cur.startedAt).endRunning().build());
            if (e.previous != null) {
                b.withLastState(terminated(e.previous));
                hasLast = true;
            }
        } else if (cur != null && cur.state == PodRecord.InstanceState.EXITED && w == null) {
            b.withState(terminated(cur));
            if (e.previous != null) {
                b.withLastState(terminated(e.previous));
                hasLast = true;
            }
        } else {
            String reason = w != null ? w.reason() : defaultWaiting;
            b.withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(w == null ? null : w.message())
                    .endWaiting().build());
            if (cur != null && cur.state == PodRecord.InstanceState.EXITED) {
                b.withLastState(terminated(cur));
                hasLast = true;
            } else if (e != null && e.previous != null) {
                b.withLastState(terminated(e.previous));
                hasLast = true;
            }
        }
        if (!hasLast) {
            b.withLastState(new ContainerState());
        }
        boolean started = running && o.started().getOrDefault(c.getName(), true);
        boolean ready = running && started && o.ready().getOrDefault(c.getName(), true);
        return b.withStarted(init ? null : started).withReady(init ? (cur != null && cur.state == PodRecord.InstanceState.EXITED
                && Integer.valueOf(0).equals(cur.exitCode)) : ready).build();
    }

    static ContainerState terminated(PodRecord.Instance i) {
        return new ContainerStateBuilder().withNewTerminated()
                .withExitCode(i.exitCode)
                .withReason(i.reason)
                .withMessage(i.message)
                .withStartedAt(i.startedAt)
                .withFinishedAt(i.finishedAt)
                .withContainerID(CONTAINER_ID_PREFIX + i.id)
                .endTerminated().build();
    }

    /** Kubernetes' QoS classes (pkg/apis/core/helper/qos): from cpu and memory requests and limits. */
    public static String qosClass(Pod pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        all.addAll(pod.getSpec().getContainers());
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : all) {
            ResourceRequirements r = c.getResources();
            Map<String, Quantity> req = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
            Map<String, Quantity> lim = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
            for (String res : List.of("cpu", "memory")) {
                Quantity l = lim.get(res);
                Quantity q = req.get(res) != null ? req.get(res) : l; // a limit alone defaults the request
                if (q != null && Quantity.getAmountInBytes(q).signum() != 0) {
                    any = true;
                }
                if (l == null || q == null || Quantity.getAmountInBytes(l).compareTo(Quantity.getAmountInBytes(q)) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
