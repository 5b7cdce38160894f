package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/** A pod's life on a real node: created, running, reported, logged, deleted with nothing left. */
class NodePodRuntimeTest {
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void anUpdatedImageRestartsTheContainerWithIt() throws Exception {
        new io.berth.image.store.ImageStore(f.state).importRootfs(tarOfBusybox(), "busybox:v2", io.berth.image.content.Progress.NONE);
        Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder(pod("upd", "Never", container("c", "sleep", "600")))
                .editSpec().withTerminationGracePeriodSeconds(1L).endSpec().build();
        f.node.sync(pod);
        f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Running".equals(st.getPhase()));
        Pod updated = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editSpec().editContainer(0).withImage("busybox:v2")
                .endContainer().endSpec().build();
        f.node.sync(updated);
        PodStatus s = f.listener.await(uid(pod), Duration.ofSeconds(30), st -> RecordingListener.container(st, "c").getRestartCount() == 1
                && RecordingListener.container(st, "c").getState().getRunning() != null);
        assertThat(RecordingListener.container(s, "c").getImage()).isEqualTo("busybox:v2");
        assertThat(f.listener.events).anyMatch(e -> e.message().equals("Container c definition changed, will be restarted"));
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), Duration.ofSeconds(30));
    }

    private Path tarOfBusybox() throws Exception {
        Path tar = f.dir.resolve("busybox-v2.tar");
        Process p = new ProcessBuilder("tar", "-C", io.berth.testkit.BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".")
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return tar;
    }

    @Test
    void aMonitorThatCannotStartIsTheRunsStartErrorAndLeavesNothing() throws Exception {
        // The monitors' directory cannot be made: every monitor of the pod fails to start (the one
        // made ahead on the pool, then the pod worker's own).
        Path attach = f.options.attachRoot();
        if (Files.isDirectory(attach)) {
            Files.delete(attach);
        }
        Files.writeString(attach, "in the way");
        Pod pod = pod("nomon", "Never", container("c", "sh", "-c", "echo never shown"));
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Failed".equals(st.getPhase()));
        var t = RecordingListener.container(s, "c").getState().getTerminated();
        assertThat(t.getReason()).isEqualTo("StartError");
        assertThat(t.getMessage()).startsWith("cannot start berth-monitor for " + uid(pod) + "_c_0: ").contains(attach.toString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.listener.events)
                .anyMatch(e -> e.reason().equals("Failed") && e.message().equals("Error: " + t.getMessage())));
        assertThat(io.berth.testkit.Monitors.processes(f.state)).isEmpty();
        try (var runtime = Files.list(f.options.runtimeRoot())) {
            assertThat(runtime.map(p -> p.getFileName().toString())).as("no container of the run").noneMatch(id -> id.startsWith(uid(pod) + "_c"));
        }
        Files.delete(attach);
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), Duration.ofSeconds(30));
        assertThat(f.podCgroupDir(pod)).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(f.state.toString());
        try (var exits = Files.list(f.options.exitsDir())) {
            assertThat(exits.toList()).isEmpty();
        }
    }

    @Test
    void runsAPodReportsItRunningAndDeletesItWithoutATrace() throws Exception {
        Pod pod = pod("web", "Always", container("c", "sh", "-c", "echo hello from $HOSTNAME; exec sleep 600"));
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Running".equals(st.getPhase()));
        ContainerStatus c = RecordingListener.container(s, "c");
        assertThat(c.getState().getRunning()).isNotNull();
        assertThat(c.getReady()).isTrue();
        assertThat(c.getStarted()).isTrue();
        assertThat(c.getRestartCount()).isZero();
        assertThat(c.getContainerID()).startsWith("berth://" + uid(pod) + "_c_0");
        assertThat(c.getImage()).isEqualTo("busybox");
        assertThat(c.getImageID()).startsWith("docker.io/library/busybox@sha256:");
        assertThat(s.getQosClass()).isEqualTo("BestEffort");
        assertThat(s.getStartTime()).isNotNull();
        assertThat(s.getHostIP()).isEqualTo(f.options.hostIP());
        assertThat(s.getConditions()).anySatisfy(cond -> {
            assertThat(cond.getType()).isEqualTo("Ready");
            assertThat(cond.getStatus()).isEqualTo("True");
        });
        Path log = f.node.logs().latest(uid(pod), "c").orElseThrow();
        assertThat(log).isEqualTo(f.state.resolve("pods").resolve(uid(pod)).resolve("c").resolve("0.log"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> f.logText(log).equals("hello from web\n"));
        // The events of a reconcile are written after its status.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(f.listener.events).extracting(RecordingListener.Event::reason).contains("Created", "Started"));

        f.node.terminate(uid(pod), Duration.ofSeconds(5));
        f.listener.awaitGone(uid(pod), Duration.ofSeconds(30));
        assertThat(f.podCgroupDir(pod)).doesNotExist();
        assertThat(f.state.resolve("pods").resolve(uid(pod))).doesNotExist();
        assertThat(f.state.resolve("node").resolve(uid(pod) + ".json")).doesNotExist();
        try (var runtime = Files.list(f.options.runtimeRoot())) {
            assertThat(runtime.toList()).isEmpty();
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(f.state.toString());
        try (var exits = Files.list(f.options.exitsDir())) {
            assertThat(exits.toList()).as("exit files are removed once recorded").isEmpty();
        }
        assertThat(io.berth.testkit.Monitors.processes(f.state)).as("the run's monitor and the one made ahead for its restart").isEmpty();
        assertThat(io.berth.testkit.Monitors.directories(f.state)).isEmpty();
    }
}
