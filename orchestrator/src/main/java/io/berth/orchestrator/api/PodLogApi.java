package io.berth.orchestrator.api;

import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.pods.PodService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * pods/log: a container's output from the files the node side writes ({@link PodLogs}), whole, its
 * last lines, or followed while the container runs. The files hold the program's bytes only, no
 * per-line times, so {@code timestamps}, {@code sinceSeconds} and {@code sinceTime} are refused
 * by name rather than answered wrongly. (A file's mtime bounds when its lines were written, which
 * could answer a since that falls outside a file, but not the common one that falls inside the
 * live file; times guessed by a reader polling the file would be when the daemon looked, and
 * nothing for what was written while it was down.)
 */
@RestController
public class PodLogApi {


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
        if (PodsApi.isTrue(timestamps) || sinceSeconds != null || sinceTime != null) {
            throw ApiException.badRequest("timestamps, sinceSeconds and sinceTime are not supported: Berth's container logs carry no "
                    + "per-line times (the container writes straight into its log file, with no process in between that could stamp "
                    + "each line, so its output does not depend on the daemon); use tailLines (kubectl logs --tail=N) instead");
        }
        Pod pod = pods.get(namespace, name);
        String c = containerName(pod, container);
        String uid = pod.getMetadata().getUid();
        boolean prev = PodsApi.isTrue(previous);
        Optional<Path> file = prev ? logs.previous(uid, c) : logs.latest(uid, c);
        if (file.isEmpty()) {
            throw ApiException.badRequest(prev ? "previous terminated container \"" + c + "\" in pod \"" + name + "\" not found"
                    : "container \"" + c + "\" in pod \"" + name + "\" is waiting to start: " + waitingReason(pod, c));
        }
        byte[] content = tail(read(logs.files(file.get())), tailLines);
        if (limitBytes != null && limitBytes >= 0 && content.length > limitBytes) {
            content = java.util.Arrays.copyOf(content, (int) Math.min(Integer.MAX_VALUE, limitBytes));
        }
        resp.setStatus(200);
        resp.setContentType("text/plain");
        OutputStream out = resp.getOutputStream();
        out.write(content);
        if (!PodsApi.isTrue(follow) || prev) {
            return;
        }
        resp.flushBuffer();
        follow(pod, c, file.get(), Files.size(file.get()), out, resp);
    }

    /** New bytes of the live file as they come, until the container instance ends or the pod goes. */
    private void follow(Pod pod, String c, Path live, long position, OutputStream out, HttpServletResponse resp) throws IOException {
        PodLogs.follow(live, position, (b, n) -> {
            out.write(b, 0, n);
            resp.flushBuffer();
        }, stillWriting(pods, logs, pod.getMetadata().getUid(), c, live));
    }

    /** Whether the pod's container {@code c} may still write {@code live}: it runs, and that file is its newest. */
    public static java.util.function.BooleanSupplier stillWriting(PodService pods, PodLogs logs, String uid, String c, Path live) {
        return () -> {
            if (pods.hub().closed()) {
                return false;
            }
            Optional<Pod> now = pods.byUid(uid);
            Optional<Path> newest = logs.latest(uid, c);
            return now.isPresent() && running(now.get(), c) && newest.isPresent() && newest.get().equals(live);
        };
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

    private static byte[] read(List<Path> files) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : files) {
            if (Files.exists(p)) {
                all.write(Files.readAllBytes(p));
            }
        }
        return all.toByteArray();
    }

    /** The last {@code n} lines (a final line without a newline counts as one). */
    static byte[] tail(byte[] content, Long n) {
        if (n == null || n < 0) {
            return content;
        }
        if (n == 0) {
            return new byte[0];
        }
        int end = content.length;
        int i = end - 1;
        if (i >= 0 && content[i] == '\n') {
            i--;
        }
        long lines = 0;
        for (; i >= 0; i--) {
            if (content[i] == '\n' && ++lines == n) {
                return java.util.Arrays.copyOfRange(content, i + 1, end);
            }
        }
        return content;
    }
}
