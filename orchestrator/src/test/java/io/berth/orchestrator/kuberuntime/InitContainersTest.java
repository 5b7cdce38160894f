package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;

/** Init containers run one at a time, in order, each to completion, before any app container. */
class InitContainersTest {
    private static final Duration T = Duration.ofSeconds(40);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void initContainersRunInOrderToCompletionBeforeTheContainers() throws Exception {
        Pod pod = new PodBuilder(pod("init", "Always", container("app", "sh", "-c", "exec sleep 600")))
                .editSpec().withInitContainers(container("first", "sh", "-c", "sleep 0.5"), container("second", "sh", "-c", "sleep 0.2"))
                .endSpec().build();
        f.node.sync(pod);
        PodStatus pending = f.listener.await(uid(pod), T, st -> st.getInitContainerStatuses().get(0).getState().getRunning() != null);
        assertThat(pending.getPhase()).isEqualTo("Pending");
        assertThat(RecordingListener.container(pending, "second").getState().getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(RecordingListener.container(pending, "app").getState().getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(pending.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Initialized");
            assertThat(c.getStatus()).isEqualTo("False");
        });
        PodStatus s = f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        ContainerStatus first = RecordingListener.container(s, "first");
        ContainerStatus second = RecordingListener.container(s, "second");
        ContainerStatus app = RecordingListener.container(s, "app");
        assertThat(first.getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(second.getState().getTerminated().getReason()).isEqualTo("Completed");
        Instant firstEnd = Instant.parse(first.getState().getTerminated().getFinishedAt());
        Instant secondStart = Instant.parse(second.getState().getTerminated().getStartedAt());
        Instant secondEnd = Instant.parse(second.getState().getTerminated().getFinishedAt());
        assertThat(secondStart).isAfterOrEqualTo(firstEnd);
        assertThat(Instant.parse(app.getState().getRunning().getStartedAt())).isAfterOrEqualTo(secondEnd);
        // The events of a reconcile are written after its status.
        org.awaitility.Awaitility.await().atMost(T).untilAsserted(() -> assertThat(f.listener.events.stream()
                .filter(e -> e.reason().equals("Started")).map(RecordingListener.Event::message).toList())
                .containsExactly("Started container first", "Started container second", "Started container app"));
        f.node.terminate(uid(pod), Duration.ofSeconds(2));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void aFailedInitContainerFailsAPodThatNeverRestartsAndTheContainersNeverStart() throws Exception {
        Pod pod = new PodBuilder(pod("initfail", "Never", container("app", "sh", "-c", "exec sleep 600")))
                .editSpec().withInitContainers(container("check", "sh", "-c", "exit 4")).endSpec().build();
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), T, st -> "Failed".equals(st.getPhase()));
        assertThat(RecordingListener.container(s, "check").getState().getTerminated().getExitCode()).isEqualTo(4);
        Thread.sleep(1000);
        assertThat(RecordingListener.container(f.listener.latest(uid(pod)), "app").getState().getWaiting().getReason())
                .isEqualTo("PodInitializing");
        assertThat(f.listener.events).noneMatch(e -> e.message().equals("Started container app"));
        f.node.terminate(uid(pod), Duration.ofSeconds(2));
        f.listener.awaitGone(uid(pod), T);
    }
}
