package io.berth.orchestrator.api;

import io.berth.orchestrator.logs.LogQuery;
import io.berth.orchestrator.logs.LogStream;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.pods.PodService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * pods/log: a container's output from the files the node side writes ({@link PodLogs}, CRI
 * format, served by {@link LogStream}): whole, its last lines, since a time, with each line's
 * time, or followed while the container runs. Parameters are checked as the apiserver's
 * ValidatePodLogOptions checks them (422 Invalid).
 */
@RestController
public class PodLogApi {
    /** How long a read of a finished instance waits for its monitor to write the container's last output. */
    private static final Duration LAST_OUTPUT = Duration.ofSeconds(1);

    private final PodService pods;
    private final PodLogs logs;

    public PodLogApi(PodService pods, PodLogs logs) {
        this.pods = pods;
        this.logs = logs;
    }

    @GetMapping("/api/v1/namespaces/{namespace}/pods/{name}/log")
    public void log(@PathVariable String namespace, @PathVariable String name, @RequestParam(required = false) String container,
                    @RequestParam(required = false) String follow, @RequestParam(required = false) String previous,
                    @RequestParam(required = false) Long tailLines, @RequestParam(required = false) Long limitBytes,
                    @RequestParam(required = false) String timestamps, @RequestParam(required = false) Long sinceSeconds,
                    @RequestParam(required = false) String sinceTime, HttpServletResponse resp) throws IOException {
        Instant since = since(name, tailLines, limitBytes, sinceSeconds, sinceTime);
        Pod pod = pods.get(namespace, name);
        String c = containerName(pod, container);
        String uid = pod.getMetadata().getUid();
        boolean prev = PodsApi.isTrue(previous);
        Optional<Path> file = prev ? logs.previous(uid, c) : logs.latest(uid, c);
        if (file.isEmpty()) {
            throw ApiException.badRequest(prev ? "previous terminated container \"" + c + "\" in pod \"" + name + "\" not found"
                    : "container \"" + c + "\" in pod \"" + name + "\" is waiting to start: " + waitingReason(pod, c));
        }
        Path live = file.get();
        BooleanSupplier writing = stillWriting(pods, logs, uid, c, live);
        boolean runs = !prev && writesTo(pods, logs, uid, c, live);
        boolean following = PodsApi.isTrue(follow) && !prev && (runs || logs.writing(live));
        if (!runs && !following) {
            logs.awaitWriter(live, LAST_OUTPUT); // an instance that has ended: its last lines may be a moment behind its exit
        }
        resp.setStatus(200);
        resp.setContentType("text/plain");
        OutputStream out = resp.getOutputStream();
        LogQuery q = new LogQuery(PodsApi.isTrue(timestamps), since, tailLines, limitBytes);
        LogStream.serve(live, q, new LogStream.Sink() {
            @Override
            public void write(byte[] b, int n) throws IOException {
                out.write(b, 0, n);
            }

            @Override
            public void flush() throws IOException {
                if (following) {
                    resp.flushBuffer();
                }
            }
        }, following ? writing : null);
    }

    /**
     * The apiserver's checks of PodLogOptions (422, as its ValidatePodLogOptions); the time from
     * which lines are asked for, or null.
     */
    static Instant since(String pod, Long tailLines, Long limitBytes, Long sinceSeconds, String sinceTime) {
        String invalid = "PodLogOptions \"" + pod + "\" is invalid: ";
        if (tailLines != null && tailLines < 0) {
            throw ApiException.unprocessable(invalid + "tailLines: Invalid value: " + tailLines + ": must be greater than or equal to 0");
        }
        if (limitBytes != null && limitBytes < 1) {
            throw ApiException.unprocessable(invalid + "limitBytes: Invalid value: " + limitBytes + ": must be greater than 0");
        }
        if (sinceSeconds != null && sinceTime != null) {
            throw ApiException.unprocessable(invalid + "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
        }
        if (sinceSeconds != null) {
            if (sinceSeconds < 1) {
                throw ApiException.unprocessable(invalid + "sinceSeconds: Invalid value: " + sinceSeconds + ": must be greater than 0");
            }
            return Instant.now().minusSeconds(sinceSeconds);
        }
        if (sinceTime != null) {
            try {
                return OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("sinceTime: cannot parse \"" + sinceTime + "\" as an RFC3339 time (e.g. 2026-01-02T15:04:05Z)");
            }
        }
        return null;
    }

    /**
     * Whether {@code live} may still grow: the pod's container {@code c} runs and that file is its
     * newest, or the file's monitor has not finished writing.
     */
    public static BooleanSupplier stillWriting(PodService pods, PodLogs logs, String uid, String c, Path live) {
        return () -> !pods.hub().closed() && (writesTo(pods, logs, uid, c, live) || logs.writing(live));
    }

    /** Whether the pod's container {@code c} runs and {@code live} is its newest file. */
    private static boolean writesTo(PodService pods, PodLogs logs, String uid, String c, Path live) {
        Optional<Pod> now = pods.byUid(uid);
        Optional<Path> newest = logs.latest(uid, c);
        return now.isPresent() && running(now.get(), c) && newest.isPresent() && newest.get().equals(live);
    }

    /** Whether the container's current instance may still write (not reported terminated). */
    private static boolean running(Pod pod, String c) {
        return statuses(pod).stream().filter(s -> s.getName().equals(c)).findFirst()
                .map(s -> s.getState() == null || s.getState().getTerminated() == null).orElse(true);
    }

    private static List<ContainerStatus> statuses(Pod pod) {
        List<ContainerStatus> all = new ArrayList<>();
        if (pod.getStatus() != null) {
            Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).ifPresent(all::addAll);
            Optional.ofNullable(pod.getStatus().getContainerStatuses()).ifPresent(all::addAll);
        }
        return all;
    }

    private static String waitingReason(Pod pod, String c) {
        return statuses(pod).stream().filter(s -> s.getName().equals(c) && s.getState() != null && s.getState().getWaiting() != null)
                .map(s -> s.getState().getWaiting().getReason()).filter(r -> r != null).findFirst().orElse("ContainerCreating");
    }

    /** As the apiserver: the only container by default, else the one named, which must exist. */
    static String containerName(Pod pod, String asked) {
        List<String> names = Stream.concat(
                Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream(),
                pod.getSpec().getContainers().stream()).map(Container::getName).toList();
        String podName = pod.getMetadata().getName();
        if (asked == null || asked.isEmpty()) {
            if (pod.getSpec().getContainers().size() == 1) {
                return pod.getSpec().getContainers().get(0).getName();
            }
            throw ApiException.badRequest("a container name must be specified for pod " + podName + ", choose one of: "
                    + pod.getSpec().getContainers().stream().map(Container::getName).toList());
        }
        if (!names.contains(asked)) {
            throw ApiException.badRequest("container " + asked + " is not valid for pod " + podName);
        }
        return asked;
    }
}
