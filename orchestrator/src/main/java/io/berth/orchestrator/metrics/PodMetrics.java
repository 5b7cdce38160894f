package io.berth.orchestrator.metrics;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
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
 * ({@code phase=total}) and to each pod condition turning True on the way ({@code phase=scheduled,
 * initialized, containersready, ready}), tagged by outcome. {@code berth.pods}: pods by phase.
 */
@Component
public class PodMetrics {

    static final String STARTUP = "berth.pod.startup";
    static final List<String> PHASES = List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    /** Waiting reasons after which a start will not succeed without a change: the outcome is failure. */
    private static final Set<String> FAILED_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerError", "CreateContainerConfigError", "CrashLoopBackOff", "RunContainerError");

    private record Start(Instant accepted, Set<String> recorded) {
    }

    private final MeterRegistry registry;
    private final Map<String, Start> starting = new ConcurrentHashMap<>();
    private final Map<String, String> phases = new ConcurrentHashMap<>();

    public PodMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String phase : PHASES) {
            Gauge.builder("berth.pods", phases, m -> m.values().stream().filter(phase::equals).count())
                    .description("Pods by phase").tag("phase", phase).register(registry);
        }
    }

    public void accepted(String uid, Instant at, String phase) {
        starting.put(uid, new Start(at, new HashSet<>()));
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

    public void gone(String uid) {
        Start start = starting.remove(uid);
        if (start != null) {
            timer("total", "deleted").record(Duration.between(start.accepted(), Instant.now()));
        }
        phases.remove(uid);
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
