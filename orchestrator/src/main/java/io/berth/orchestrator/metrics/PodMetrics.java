package io.berth.orchestrator.metrics;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * {@code berth.pod.startup}: from the API's accept to the containers running, end to end
 * ({@code phase=total}), to each pod condition turning True on the way ({@code phase=scheduled,
 * initialized, containersready, ready}), and the node's own steps, each its own duration
 * ({@code phase=image, sandbox, rootfs, create, start}), tagged by outcome. {@code berth.pods}: pods by phase.
 * {@code berth.container.restarts}: container restarts seen in pod statuses (the rise of each
 * container's restartCount), tagged by {@code reason}, why the run before the restart ended (its
 * lastState.terminated.reason: Error, Completed, OOMKilled...): the counter a dashboard's restart
 * rate and the console's {@code metrics} are taken from.
 */
@Component
public class PodMetrics {

    static final String STARTUP = "berth.pod.startup";
    static final List<String> PHASES = List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    /** Waiting reasons after which a start will not succeed without a change: the outcome is failure. */
    /**
     * The reasons the node side gives a finished run (PodStatuses), registered at 0 from the start:
     * a series that first appears at 1 is lost to PromQL's increase() and rate().
     */
    static final List<String> RESTART_REASONS = List.of("Error", "Completed", "OOMKilled", "StartError", "ContainerStatusUnknown", "Unknown");
    private static final Set<String> FAILED_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerError", "CreateContainerConfigError", "CrashLoopBackOff", "RunContainerError");

    private record Start(Instant accepted, Set<String> recorded) {
    }

    private final MeterRegistry registry;
    private final Map<String, Start> starting = new ConcurrentHashMap<>();
    private final Map<String, String> phases = new ConcurrentHashMap<>();
    /** Each pod's containers' restartCounts when last observed (by container name); absent until its first status. */
    private final Map<String, Map<String, Integer>> restartCounts = new ConcurrentHashMap<>();

    public PodMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String phase : PHASES) {
            Gauge.builder("berth.pods", phases, m -> m.values().stream().filter(phase::equals).count())
                    .description("Pods by phase").tag("phase", phase).register(registry);
        }
        RESTART_REASONS.forEach(this::restarts);
    }

    public void accepted(String uid, Instant at, String phase) {
        starting.put(uid, new Start(at, new HashSet<>()));
        restartCounts.put(uid, new ConcurrentHashMap<>());
        phases.put(uid, phase == null ? "Pending" : phase);
    }

    /** A pod the daemon found in its records at start: counted by phase, its start-up not timed. */
    public void known(String uid, String phase) {
        phases.put(uid, phase == null ? "Pending" : phase);
    }

    public void observed(String uid, PodStatus status, Instant now) {
        if (status.getPhase() != null) {
            phases.put(uid, status.getPhase());
        }
        countRestarts(uid, status);
        Start start = starting.get(uid);
        if (start == null) {
            return;
        }
        if (status.getConditions() != null) {
            for (PodCondition c : status.getConditions()) {
                String phase = c.getType().toLowerCase(Locale.ROOT).replace("podscheduled", "scheduled");
                if ("True".equals(c.getStatus()) && start.recorded().add(phase)) {
                    timer(phase, "success").record(Duration.between(start.accepted(), now));
                }
            }
        }
        boolean running = "Running".equals(status.getPhase()) && status.getContainerStatuses() != null
                && !status.getContainerStatuses().isEmpty()
                && status.getContainerStatuses().stream().allMatch(cs -> cs.getState() != null && cs.getState().getRunning() != null);
        boolean finished = "Succeeded".equals(status.getPhase());
        if (running || finished) {
            timer("total", "success").record(Duration.between(start.accepted(), now));
            starting.remove(uid);
        } else if ("Failed".equals(status.getPhase()) || failedStart(status.getContainerStatuses())
                || failedStart(status.getInitContainerStatuses())) {
            timer("total", "failure").record(Duration.between(start.accepted(), now));
            starting.remove(uid);
        }
    }

    /**
     * A step of the node's making of a pod still starting ({@code image}, {@code sandbox},
     * {@code rootfs}, {@code create}, {@code start}): its own duration, under the same timer as the
     * end-to-end figure with the step as the phase. A step after the pod's start-up was timed (a
     * sandbox made again, a container added by an update) is not part of its start-up and is left out.
     */
    public void step(String uid, String step, Duration took) {
        if (starting.containsKey(uid)) {
            timer(step, "success").record(took);
        }
    }

    public void gone(String uid) {
        Start start = starting.remove(uid);
        if (start != null) {
            timer("total", "deleted").record(Duration.between(start.accepted(), Instant.now()));
        }
        phases.remove(uid);
        restartCounts.remove(uid);
    }

    /**
     * Counts the rise of each container's restartCount. A pod known from the records before this
     * daemon started (no baseline yet) sets its baseline without counting: its restarts were
     * counted by the daemon that saw them.
     */
    private void countRestarts(String uid, PodStatus status) {
        boolean baseline = !restartCounts.containsKey(uid);
        Map<String, Integer> counts = restartCounts.computeIfAbsent(uid, u -> new ConcurrentHashMap<>());
        for (List<ContainerStatus> statuses : java.util.Arrays.asList(status.getInitContainerStatuses(), status.getContainerStatuses())) {
            if (statuses == null) {
                continue;
            }
            for (ContainerStatus cs : statuses) {
                int now = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                Integer before = counts.put(cs.getName(), now);
                if (!baseline && now > (before == null ? 0 : before)) {
                    restarts(reason(cs)).increment(now - (before == null ? 0 : before));
                }
            }
        }
    }

    /** Why the run before this restart ended, as the kubelet reports it in lastState. */
    private static String reason(ContainerStatus cs) {
        var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
        return last == null || last.getReason() == null || last.getReason().isEmpty() ? "Unknown" : last.getReason();
    }

    private Counter restarts(String reason) {
        return Counter.builder("berth.container.restarts").description("Container restarts seen in pod statuses, by why the run before ended")
                .tag("reason", reason).register(registry);
    }

    private static boolean failedStart(List<ContainerStatus> statuses) {
        return statuses != null && statuses.stream().anyMatch(cs -> cs.getState() != null && cs.getState().getWaiting() != null
                && FAILED_START.contains(cs.getState().getWaiting().getReason()));
    }

    private Timer timer(String phase, String outcome) {
        return Timer.builder(STARTUP).description("From the API accepting a pod to its containers running")
                .tag("phase", phase).tag("outcome", outcome).publishPercentileHistogram()
                .register(registry);
    }
}
