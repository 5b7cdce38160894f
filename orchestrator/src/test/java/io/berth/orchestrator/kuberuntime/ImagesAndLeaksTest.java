package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.berth.testkit.OpenFds;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/** Pull policy outcomes, and a pod's whole life leaving no fd of the daemon open. */
class ImagesAndLeaksTest {
    private static final Duration T = Duration.ofSeconds(60);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void anAbsentImageWithPolicyNeverWaitsAsErrImageNeverPull() throws Exception {
        Pod pod = pod("never", "Always", container("c", b -> b.withImage("absent:1").withImagePullPolicy("Never"), "true"));
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), T, st -> RecordingListener.container(st, "c").getState().getWaiting() != null
                && "ErrImageNeverPull".equals(RecordingListener.container(st, "c").getState().getWaiting().getReason()));
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(RecordingListener.container(s, "c").getState().getWaiting().getMessage())
                .isEqualTo("Container image \"absent:1\" is not present with pull policy of Never");
        f.node.terminate(uid(pod), Duration.ZERO);
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void aFailingPullIsErrImagePullThenImagePullBackOff() throws Exception {
        // Nothing listens on port 1: the pull fails at once, and again after each backoff.
        Pod pod = pod("pull", "Always", container("c", b -> b.withImage("127.0.0.1:1/nope:1").withImagePullPolicy("IfNotPresent"), "true"));
        // Long enough that the backoff is seen between two pulls (each failing pull retries for seconds).
        f.node.close();
        f.node = new NodePodRuntime(f.options.withImagePullBackoff(new io.berth.orchestrator.reconcile.BackoffPolicy(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(1))), f.listener);
        f.node.sync(pod);
        f.listener.awaitEver(uid(pod), T, st -> reason(st).equals("ErrImagePull"));
        f.listener.awaitEver(uid(pod), T, st -> reason(st).equals("ImagePullBackOff"));
        // A reconcile's events are written after its status.
        org.awaitility.Awaitility.await().atMost(T).untilAsserted(() -> assertThat(f.listener.events).anyMatch(e -> e.reason().equals("BackOff") && e.message().equals("Back-off pulling image \"127.0.0.1:1/nope:1\"")));
        f.node.terminate(uid(pod), Duration.ZERO);
        f.listener.awaitGone(uid(pod), T);
    }

    private static String reason(PodStatus st) {
        var w = RecordingListener.container(st, "c").getState().getWaiting();
        return w == null || w.getReason() == null ? "" : w.getReason();
    }

    @Test
    void aPodsWholeLifeLeavesNoFdOpen() throws Exception {
        // Warm up once (jnr binds libc, threads start), then count.
        Pod warm = pod("warm", "Never", container("c", "true"));
        f.node.sync(warm);
        f.listener.await(uid(warm), T, st -> "Succeeded".equals(st.getPhase()));
        f.node.terminate(uid(warm), Duration.ZERO);
        f.listener.awaitGone(uid(warm), T);
        Set<String> before = OpenFds.now();

        Pod pod = pod("fds", "Always", container("c", "sh", "-c", "echo x; sleep 0.3; exit 1"), container("d", "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> RecordingListener.container(st, "c").getRestartCount() >= 2);
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(OpenFds.now()).isSubsetOf(before));
        assertThat(List.of(f.listener.gone)).isNotEmpty();
    }
}
