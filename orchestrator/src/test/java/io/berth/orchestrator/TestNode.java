package io.berth.orchestrator;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.berth.orchestrator.logs.PodLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A stand-in for the node side, only in tests: it reports every synced pod Running a moment later
 * and removes a terminated pod after a short stop, so the API's half can be tested on its own.
 * It records the calls it gets, for the tests to check what the API asked of the node.
 */
final class TestNode implements PodRuntime {

    record Terminate(String uid, Duration grace) {
    }

    final List<String> synced = new CopyOnWriteArrayList<>();
    final List<Terminate> terminated = new CopyOnWriteArrayList<>();
    final List<Collection<Pod>> resumed = new CopyOnWriteArrayList<>();
    /** How long a "container" takes to stop after terminate; tests shorten or lengthen it. */
    volatile Duration stopDelay = Duration.ofMillis(300);
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Supplier<PodStatusListener> listener;
    private final Supplier<PodLogs> logs;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-node");
        t.setDaemon(true);
        return t;
    });

    TestNode(Supplier<PodStatusListener> listener, Supplier<PodLogs> logs) {
        this.listener = listener;
        this.logs = logs;
    }

    /**
     * Appends {@code text} (whole lines) to a container's current log as the node side's monitors
     * do: one CRI record per line on stdout, stamped now (the file PodLogs names).
     */
    void write(String uid, String container, String text) {
        try {
            Path f = logs.get().current(uid, container, 0);
            Files.createDirectories(f.getParent());
            String stamp = io.berth.orchestrator.logs.CriRecord.TIMESTAMP.format(Instant.now());
            StringBuilder records = new StringBuilder();
            text.lines().forEach(l -> records.append(stamp).append(" stdout F ").append(l).append('\n'));
            Files.writeString(f, records, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reports every container of the pod exited with {@code code}. */
    void exit(Pod pod, int code) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ContainerStatus> cs = pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder()
                .withName(c.getName()).withImage(c.getImage()).withImageID("").withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(code).withReason(code == 0 ? "Completed" : "Error")
                .withStartedAt(now).withFinishedAt(now).endTerminated().endState().build()).toList();
        listener.get().statusChanged(pod.getMetadata().getUid(), new PodStatusBuilder()
                .withPhase(code == 0 ? "Succeeded" : "Failed").withContainerStatuses(cs).build());
    }

    @Override
    public void sync(Pod pod) {
        String uid = pod.getMetadata().getUid();
        synced.add(uid);
        if (running.putIfAbsent(uid, true) != null) {
            return;
        }
        worker.schedule(() -> {
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            List<ContainerStatus> cs = pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage()).withImageID("").withContainerID("berth://" + uid + "-" + c.getName())
                    .withReady(true).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()).toList();
            for (var c : pod.getSpec().getContainers()) {
                write(uid, c.getName(), "hello from " + c.getName() + "\nsecond line\n");
            }
            listener.get().event(uid, "Normal", "Started", "Started container " + pod.getSpec().getContainers().get(0).getName());
            listener.get().statusChanged(uid, new PodStatusBuilder().withPhase("Running").withHostIP("127.0.0.1")
                    .withPodIP("10.88.0.2").withStartTime(now).withQosClass("BestEffort")
                    .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).endCondition()
                    .addNewCondition().withType("Initialized").withStatus("True").withLastTransitionTime(now).endCondition()
                    .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime(now).endCondition()
                    .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now).endCondition()
                    .withContainerStatuses(cs).build());
        }, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public void terminate(String podUid, Duration gracePeriod) {
        terminated.add(new Terminate(podUid, gracePeriod));
        worker.schedule(() -> {
            listener.get().event(podUid, "Normal", "Killing", "Stopping container");
            running.remove(podUid);
            listener.get().podGone(podUid);
        }, stopDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void resume(Collection<Pod> pods) {
        resumed.add(List.copyOf(pods));
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
