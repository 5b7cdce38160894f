package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Pod;

/** Delete: SIGTERM, the grace period, SIGKILL, then podGone. */
class TerminateTest {
    private static final Duration T = Duration.ofSeconds(40);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void aContainerThatHandlesSigtermStopsWithinTheGracePeriod() throws Exception {
        Pod pod = pod("polite", "Always", container("c", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.05; done"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        Thread.sleep(300); // the trap is set
        long t0 = System.nanoTime();
        f.node.terminate(uid(pod), Duration.ofSeconds(30));
        f.listener.awaitGone(uid(pod), T);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(f.listener.events).anyMatch(e -> e.reason().equals("Killing"));
        assertThat(f.podCgroupDir(pod)).doesNotExist();
    }

    @Test
    void aContainerThatIgnoresSigtermIsKilledWhenTheGracePeriodEnds() throws Exception {
        Pod pod = pod("stubborn", "Always", container("c", "sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        Thread.sleep(300);
        long t0 = System.nanoTime();
        f.node.terminate(uid(pod), Duration.ofMillis(1500));
        f.listener.awaitGone(uid(pod), T);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(15));
        assertThat(f.podCgroupDir(pod)).doesNotExist();
    }

    @Test
    void terminatingAnUnknownPodReportsItGone() {
        f.node.terminate("no-such-uid", Duration.ZERO);
        assertThat(f.listener.gone).contains("no-such-uid");
    }
}
