package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.berth.orchestrator.monitor.Subreaper;
import io.berth.orchestrator.network.CniConfig;
import io.berth.orchestrator.network.NetworkOptions;
import io.berth.orchestrator.network.TestNetns;
import io.berth.orchestrator.sandbox.Sandbox;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pods on the CNI network: addresses, pod to pod, hostPort, the /etc files, and that nothing is
 * left after a delete, a crash or a failure. The plugins run in a network namespace of the test's
 * own ({@link TestNetns}), so the bridge, the veths and the rules live and die with it; the default
 * conflist is written with ipMasq false (nothing is masqueraded anywhere).
 */
class PodNetworkTest {
    private static final Duration T = Duration.ofSeconds(60);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();
    TestNetns netns;
    NetworkOptions network;
    final List<Process> children = new ArrayList<>();

    @BeforeEach
    void networkNode() {
        netns = new TestNetns();
        network = netns.options(f.state);
        CniConfig.writeDefault(network.confDir(), network.ipamDataDir(), false);
        f.node.close();
        f.node = new NodePodRuntime(f.options, network, f.listener);
    }

    @AfterEach
    void removeNetns() {
        for (Process p : children) {
            p.destroyForcibly();
        }
        if (netns != null) {
            netns.close();
        }
    }

    private PodStatus running(Pod p) {
        f.node.sync(p);
        return f.listener.await(uid(p), T, st -> "Running".equals(st.getPhase())
                && st.getContainerStatuses().stream().allMatch(c -> c.getState().getRunning() != null));
    }

    private String log(Pod p, String container, String until) {
        Path log = f.state.resolve("pods").resolve(uid(p)).resolve(container).resolve("0.log");
        Awaitility.await().atMost(T).until(() -> Files.exists(log) && Files.readString(log).contains(until));
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void delete(Pod... pods) {
        for (Pod p : pods) {
            f.node.terminate(uid(p), Duration.ZERO);
        }
        for (Pod p : pods) {
            f.listener.awaitGone(uid(p), T);
        }
    }

    /** Nothing of any pod is left in the host side: no veth, no per-pod rule, no address, no cache, no files. */
    private void assertNothingLeft(String... ips) throws Exception {
        assertThat(netns.links()).as("interfaces in the host side").allMatch(l -> l.equals("lo") || l.equals(CniConfig.DEFAULT_BRIDGE));
        String rules = netns.iptables();
        for (String ip : ips) {
            assertThat(rules).as("iptables rules").doesNotContain(ip + "/");
        }
        assertThat(rules).as("portmap's per-pod chains").doesNotContain("CNI-DN-");
        Path allocations = network.ipamDataDir().resolve(CniConfig.DEFAULT_NAME);
        if (Files.isDirectory(allocations)) {
            try (Stream<Path> s = Files.list(allocations)) {
                assertThat(s.map(x -> x.getFileName().toString()).filter(n -> !n.startsWith("last_reserved_ip") && !n.equals("lock")))
                        .as("host-local allocations").isEmpty();
            }
        }
        assertThat(dirEntries(network.attachmentsDir())).as("cached attachments").isEmpty();
        assertThat(dirEntries(network.podFilesRoot())).as("pods' /etc files").isEmpty();
    }

    private static List<String> dirEntries(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).toList();
        }
    }

    private static Pod web(String name, Integer hostPort) {
        return pod(name, "Always", container("web", b -> hostPort == null ? b.addNewPort().withContainerPort(8080).endPort()
                : b.addNewPort().withContainerPort(8080).withHostPort(hostPort).endPort(), "httpd", "-f", "-p", "8080", "-h", "/etc"));
    }

    @Test
    void podsGetAnAddressTheirEtcFilesAndReachEachOther() throws Exception {
        Pod web = web("web", null);
        PodStatus ws = running(web);
        String webIp = ws.getPodIP();
        assertThat(webIp).startsWith("10.87.");
        assertThat(ws.getPodIPs()).singleElement().satisfies(ip -> assertThat(ip.getIp()).isEqualTo(webIp));

        Pod client = new PodBuilder(pod("client", "Always", container("c", b -> b.addNewEnv().withName("TARGET").withValue(webIp).endEnv(),
                "sh", "-c", "until wget -q -O - http://$TARGET:8080/hostname; do sleep 0.2; done; echo ---; cat /etc/hosts /etc/resolv.conf;"
                        + " echo ---; (echo x > /etc/hosts) 2>&1; ip -o -4 addr show eth0; echo end; exec sleep 600")))
                .editSpec().withDnsPolicy("None").withNewDnsConfig().withNameservers("10.0.0.10").withSearches("x.test").endDnsConfig()
                .addNewHostAlias().withIp("10.1.2.3").withHostnames("alias.test").endHostAlias().endSpec().build();
        String clientIp = running(client).getPodIP();
        assertThat(clientIp).startsWith("10.87.").isNotEqualTo(webIp);
        String out = log(client, "c", "end");
        // Pod to pod over the bridge: the client read the web pod's /etc/hostname, which names the web pod.
        assertThat(out).startsWith("web\n---\n");
        assertThat(out).contains("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
                .contains(clientIp + "\tclient\n")
                .contains("10.1.2.3\talias.test\n")
                .contains("nameserver 10.0.0.10\nsearch x.test\n")
                .contains("Read-only file system")
                .contains("inet " + clientIp + "/16");
        // Two veths and the bridge in the test's namespace, none on the machine's.
        assertThat(netns.links()).contains(CniConfig.DEFAULT_BRIDGE).filteredOn(l -> l.startsWith("veth")).hasSize(2);
        assertThat(TestNetns.run("ip", "-o", "link", "show", CniConfig.DEFAULT_BRIDGE).exit()).as("berth0 on the machine").isNotZero();

        delete(web, client);
        assertNothingLeft(webIp, clientIp);
    }

    @Test
    void hostPortReachesThePodFromTheHostSideAndASecondPodCannotTakeIt() throws Exception {
        Pod web = web("web", 18080);
        String ip = running(web).getPodIP();
        // From the test's namespace (the pods' host side), to the bridge's address: portmap's DNAT.
        Awaitility.await().atMost(T).until(() -> netns.exec("busybox", "wget", "-q", "-O", "-", "http://10.87.0.1:18080/hostname")
                .out().equals("web\n"));
        assertThat(netns.iptables()).contains("--dport 18080");

        Pod second = web("second", 18080);
        f.node.sync(second);
        PodStatus st = f.listener.await(uid(second), T, s -> s.getContainerStatuses().get(0).getState().getWaiting() != null
                && s.getContainerStatuses().get(0).getState().getWaiting().getMessage() != null);
        assertThat(st.getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(st.getContainerStatuses().get(0).getState().getWaiting().getMessage())
                .isEqualTo("Failed to create pod sandbox: hostPort 18080/TCP is already used by pod default/web: choose another hostPort, "
                        + "or delete that pod");
        assertThat(f.listener.events).anyMatch(e -> e.uid().equals(uid(second)) && e.reason().equals("FailedCreatePodSandBox"));
        assertThat(st.getPodIP()).isNull();
        assertThat(netns.links()).filteredOn(l -> l.startsWith("veth")).hasSize(1);
        assertThat(runtime().list()).noneMatch(c -> c.id().equals(Sandbox.id(uid(second))));

        // Once the first pod is gone, the retry (with backoff) gets the port.
        delete(web);
        String secondIp = running(second).getPodIP();
        Awaitility.await().atMost(T).until(() -> netns.exec("busybox", "wget", "-q", "-O", "-", "http://10.87.0.1:18080/hostname")
                .out().equals("second\n"));
        delete(second);
        assertNothingLeft(ip, secondIp);
        assertThat(netns.iptables()).doesNotContain("18080");
    }

    private ContainerRuntime runtime() {
        return new ContainerRuntime(new RuntimeOptions(f.options.runtimeRoot(), f.cgroupParent, false));
    }
}
