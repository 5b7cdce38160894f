package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.berth.orchestrator.sandbox.Sandbox;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** The pod's shared namespaces (held by pause), each container's own mount namespace, the pod cgroup. */
class PodSandboxTest {
    private static final Duration T = Duration.ofSeconds(40);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    private ContainerRuntime runtime() {
        return new ContainerRuntime(new RuntimeOptions(f.options.runtimeRoot(), f.cgroupParent, false));
    }

    private static String ns(int pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
    }

    @Test
    void containersShareTheSandboxsNetworkIpcAndUtsButNotMountOrPid() throws Exception {
        Pod pod = pod("shared", "Always",
                container("a", b -> b.withNewResources().addToLimits("memory", new Quantity("32Mi")).endResources(),
                        "sh", "-c", "hostname; ip -o link | cut -d: -f2; exec sleep 600"),
                container("b", b -> b.withNewResources().addToLimits("memory", new Quantity("48Mi")).endResources(),
                        "sh", "-c", "hostname; exec sleep 600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase())
                && st.getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady())));
        ContainerRuntime rt = runtime();
        int a = rt.state(uid(pod) + "_a_0").pid();
        int b = rt.state(uid(pod) + "_b_0").pid();
        int pause = rt.state(Sandbox.id(uid(pod))).pid();
        for (String n : new String[] {"net", "ipc", "uts"}) {
            assertThat(ns(a, n)).as(n).isEqualTo(ns(pause, n)).isEqualTo(ns(b, n));
        }
        for (String n : new String[] {"mnt", "pid"}) {
            assertThat(ns(a, n)).as(n).isNotEqualTo(ns(b, n)).isNotEqualTo(ns(pause, n));
        }
        assertThat(Files.readString(Path.of("/proc/" + pause + "/cmdline"))).isEqualTo("/pause\0");
        // The hostname both see is the pod's, set once by the sandbox; the network has only lo.
        Path logA = f.node.logs().latest(uid(pod), "a").orElseThrow();
        Path logB = f.node.logs().latest(uid(pod), "b").orElseThrow();
        Awaitility.await().atMost(T).until(() -> f.logText(logA).lines().count() >= 2 && f.logText(logB).contains("\n"));
        assertThat(f.logText(logA)).isEqualTo("shared\n lo\n");
        assertThat(f.logText(logB)).isEqualTo("shared\n");
        // Pod limit = the sum of its containers'; each container's own under it.
        assertThat(Files.readString(f.podCgroupDir(pod).resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(80L << 20));
        assertThat(Files.readString(f.podCgroupDir(pod).resolve(uid(pod) + "_a_0").resolve("memory.limit_in_bytes")).trim())
                .isEqualTo(Long.toString(32L << 20));
        f.node.terminate(uid(pod), Duration.ofSeconds(2));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void aDeadSandboxIsRemadeAndTakesThePodsContainersWithIt() throws Exception {
        Pod pod = pod("phoenix", "Always", container("c", "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        ContainerRuntime rt = runtime();
        int pause = rt.state(Sandbox.id(uid(pod))).pid();
        int c0 = rt.state(uid(pod) + "_c_0").pid();
        ProcessHandle.of(pause).orElseThrow().destroyForcibly();
        f.listener.await(uid(pod), T, st -> RecordingListener.container(st, "c").getRestartCount() >= 1
                && RecordingListener.container(st, "c").getState().getRunning() != null);
        // A reconcile's events are written after its status.
        org.awaitility.Awaitility.await().atMost(T).untilAsserted(() -> assertThat(f.listener.events).anyMatch(e -> e.reason().equals("SandboxChanged")));
        assertThat(ProcessHandle.of(c0).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        int newPause = rt.state(Sandbox.id(uid(pod))).pid();
        assertThat(newPause).isNotEqualTo(pause);
        int c1 = rt.state(uid(pod) + "_c_1").pid();
        assertThat(ns(c1, "net")).isEqualTo(ns(newPause, "net"));
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void shareProcessNamespaceMakesOnePidNamespaceWithPauseAsPid1() throws Exception {
        Pod pod = new PodBuilder(pod("pidns", "Always", container("a", "sh", "-c", "exec sleep 600"),
                container("b", "sh", "-c", "sleep 1; ps -o pid,args; exec sleep 600")))
                .editSpec().withShareProcessNamespace(true).endSpec().build();
        f.node.sync(pod);
        Path logB = f.state.resolve("pods").resolve(uid(pod)).resolve("b").resolve("0.log");
        Awaitility.await().atMost(T).until(() -> Files.exists(logB) && f.logText(logB).contains("ps -o"));
        String ps = f.logText(logB);
        assertThat(ps).containsPattern("(?m)^\\s*1 /pause$").contains("sleep 600");
        ContainerRuntime rt = runtime();
        assertThat(ns(rt.state(uid(pod) + "_a_0").pid(), "pid")).isEqualTo(ns(rt.state(Sandbox.id(uid(pod))).pid(), "pid"));
        f.node.terminate(uid(pod), Duration.ofSeconds(2));
        f.listener.awaitGone(uid(pod), T);
    }
}
