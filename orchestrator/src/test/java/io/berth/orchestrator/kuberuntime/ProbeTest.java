package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/** Probes as the kubelet runs them: liveness restarts, readiness sets Ready, startup holds the others back. */
class ProbeTest {
    private static final Duration T = Duration.ofSeconds(60);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        Pod pod = new PodBuilder(pod("live", "Always", container("c",
                b -> b.withLivenessProbe(new ProbeBuilder().withNewExec().withCommand("cat", "/tmp/healthy").endExec()
                        .withPeriodSeconds(1).withFailureThreshold(2).build()),
                "sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 600")))
                .editSpec().withTerminationGracePeriodSeconds(1L).endSpec().build();
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), T, st -> RecordingListener.container(st, "c").getRestartCount() >= 1);
        ContainerStatus c = RecordingListener.container(s, "c");
        // sleep as PID 1 ignores SIGTERM: the grace period ends with SIGKILL.
        assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(f.listener.events).anyMatch(e -> e.reason().equals("Unhealthy") && e.message().startsWith("Liveness probe failed"));
        assertThat(f.listener.events).anyMatch(e -> e.reason().equals("Killing")
                && e.message().equals("Container c failed liveness probe, will be restarted"));
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void anExecProbeRunsInTheContainersWorkingDirectory() throws Exception {
        Pod pod = pod("cwd", "Always", container("c",
                b -> b.withWorkingDir("/tmp").withReadinessProbe(new ProbeBuilder().withNewExec()
                        .withCommand("sh", "-c", "test \"$(pwd)\" = /tmp").endExec().withPeriodSeconds(1).build()),
                "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> Boolean.TRUE.equals(RecordingListener.container(st, "c").getReady()));
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void readinessOverHttpInThePodsNetworkNamespaceSetsReady() throws Exception {
        // busybox httpd on the pod's lo, only after a second: the container runs before it is ready.
        Pod pod = pod("ready", "Always", container("web",
                b -> b.withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/").withPort(new IntOrString(8080)).endHttpGet()
                        .withPeriodSeconds(1).build()),
                "sh", "-c", "mkdir -p /www; echo ok > /www/index.html; sleep 1.5; exec httpd -f -p 8080 -h /www"));
        f.node.sync(pod);
        PodStatus running = f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        assertThat(RecordingListener.container(running, "web").getReady()).isFalse();
        assertThat(running.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("False");
        });
        PodStatus s = f.listener.await(uid(pod), T, st -> Boolean.TRUE.equals(RecordingListener.container(st, "web").getReady()));
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(RecordingListener.container(s, "web").getRestartCount()).isZero();
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void aStartupProbeHoldsLivenessBackUntilItSucceeds() throws Exception {
        // Liveness would fail at once; the startup probe (tcp, succeeds once nc listens) holds it back,
        // then liveness (which now succeeds) takes over: no restart.
        Pod pod = pod("startup", "Always", container("c",
                b -> b.withStartupProbe(new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(9000)).endTcpSocket()
                        .withPeriodSeconds(1).withFailureThreshold(30).build())
                        .withLivenessProbe(new ProbeBuilder().withNewExec().withCommand("test", "-f", "/tmp/up").endExec()
                                .withPeriodSeconds(1).withFailureThreshold(1).build()),
                "sh", "-c", "sleep 2; touch /tmp/up; exec nc -ll -p 9000 -e cat"));
        f.node.sync(pod);
        PodStatus before = f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        assertThat(RecordingListener.container(before, "c").getStarted()).isFalse();
        PodStatus s = f.listener.await(uid(pod), T, st -> Boolean.TRUE.equals(RecordingListener.container(st, "c").getStarted()));
        assertThat(RecordingListener.container(s, "c").getReady()).isTrue();
        Thread.sleep(2500);
        assertThat(RecordingListener.container(f.listener.latest(uid(pod)), "c").getRestartCount()).isZero();
        assertThat(f.listener.events).noneMatch(e -> e.reason().equals("Killing"));
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }
}
