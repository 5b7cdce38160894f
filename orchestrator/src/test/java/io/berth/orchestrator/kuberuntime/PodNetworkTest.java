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
        Awaitility.await().atMost(T).until(() -> Files.exists(log) && f.logText(log).contains(until));
        return f.logText(log);
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
    void aFinishedPodKeepsItsAddressInItsStatusAndReleasesIt() throws Exception {
        Pod once = pod("once", "Never", container("c", "true"));
        f.node.sync(once);
        String ip = f.listener.await(uid(once), T, st -> st.getPodIP() != null).getPodIP();
        // The sandbox stops once the pod has Succeeded: its veth goes, while the status still says
        // where the pod ran (kubectl get -o wide of a Completed pod).
        Awaitility.await().atMost(T).until(() -> netns.links().stream().noneMatch(l -> l.startsWith("veth")));
        PodStatus done = f.listener.await(uid(once), T, st -> "Succeeded".equals(st.getPhase()));
        assertThat(done.getPodIP()).isEqualTo(ip);
        assertThat(done.getPodIPs()).singleElement().satisfies(p -> assertThat(p.getIp()).isEqualTo(ip));
        delete(once);
        assertNothingLeft(ip);
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
        assertThat(st.getPodIP()).isNull();
        assertThat(netns.links()).filteredOn(l -> l.startsWith("veth")).hasSize(1);
        assertThat(runtime().list()).noneMatch(c -> c.id().equals(Sandbox.id(uid(second))));
        // A reconcile's events are written after its status (checked last: the retry, 100 ms on, makes a new pause).
        Awaitility.await().atMost(T).pollDelay(Duration.ZERO).untilAsserted(() -> assertThat(f.listener.events)
                .anyMatch(e -> e.uid().equals(uid(second)) && e.reason().equals("FailedCreatePodSandBox")));

        // Once the first pod is gone, the retry (with backoff) gets the port.
        delete(web);
        String secondIp = running(second).getPodIP();
        Awaitility.await().atMost(T).until(() -> netns.exec("busybox", "wget", "-q", "-O", "-", "http://10.87.0.1:18080/hostname")
                .out().equals("second\n"));
        delete(second);
        assertNothingLeft(ip, secondIp);
        assertThat(netns.iptables()).doesNotContain("18080");
    }

    @Test
    void checkSaysWhetherAnAttachmentIsStillWhole() throws Exception {
        Pod web = web("web", null);
        running(web);
        io.berth.orchestrator.network.PodNetwork net = new io.berth.orchestrator.network.PodNetwork(network);
        net.check(Sandbox.id(uid(web)));
        // The host end of the pod's veth removed behind the node's back: the pair goes, and CHECK says so.
        String veth = netns.links().stream().filter(l -> l.startsWith("veth")).findFirst().orElseThrow();
        assertThat(netns.exec("ip", "link", "del", veth).exit()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> net.check(Sandbox.id(uid(web))))
                .isInstanceOf(io.berth.orchestrator.network.CniException.class).hasMessageContaining("failed (check)");
        delete(web);
        assertNothingLeft();
    }

    /** Replaces the default conflist with {@code json} (as an operator would). */
    private void conflist(String json) throws Exception {
        Files.deleteIfExists(network.confDir().resolve(CniConfig.DEFAULT_FILE));
        Files.writeString(network.confDir().resolve("05-test.conflist"), json);
    }

    private static String bridgeList(String subnet, String extraPlugin) {
        return """
                {"cniVersion": "1.0.0", "name": "berth", "plugins": [
                  {"type": "bridge", "bridge": "berth0", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "dataDir": "DATA", "ranges": [[{"subnet": "SUBNET"}]]}}EXTRA
                ]}""".replace("SUBNET", subnet).replace("EXTRA", extraPlugin);
    }

    /** Waits until the pod's containers wait with a FailedCreatePodSandBox message; returns it. */
    private String sandboxFailure(Pod p) {
        f.node.sync(p);
        PodStatus st = f.listener.await(uid(p), T, s -> s.getContainerStatuses().get(0).getState().getWaiting() != null
                && s.getContainerStatuses().get(0).getState().getWaiting().getMessage() != null);
        assertThat(st.getPodIP()).isNull();
        assertThat(runtime().list()).as("the failed sandbox's pause").noneMatch(c -> c.id().equals(Sandbox.id(uid(p))));
        // A reconcile's events are written after its status (checked last: the retry, 100 ms on, makes a new pause).
        Awaitility.await().atMost(T).pollDelay(Duration.ZERO).untilAsserted(() -> assertThat(f.listener.events)
                .anyMatch(e -> e.uid().equals(uid(p)) && e.reason().equals("FailedCreatePodSandBox") && e.type().equals("Warning")));
        return st.getContainerStatuses().get(0).getState().getWaiting().getMessage();
    }

    @Test
    void aMissingPluginFailsTheSandboxLeavesNothingAndTheRetryWorksOnceItIsFixed() throws Exception {
        conflist(bridgeList("10.87.0.0/16", ", {\"type\": \"nosuch\"}").replace("DATA", network.ipamDataDir().toString()));
        Pod p = web("web", null);
        String msg = sandboxFailure(p);
        assertThat(msg).startsWith("Failed to create pod sandbox: failed to find plugin \"nosuch\" in path [/usr/lib/cni]: install it");
        // bridge's ADD ran before nosuch was missed: its DEL took the veth and the address back.
        assertNothingLeft("10.87.0.2");
        conflist(bridgeList("10.87.0.0/16", "").replace("DATA", network.ipamDataDir().toString()));
        String ip = running(p).getPodIP();
        delete(p);
        assertNothingLeft(ip);
    }

    @Test
    void aBrokenConflistFailsTheSandboxWithWhatIsWrong() throws Exception {
        conflist("{\"cniVersion\": \"1.0.0\", \"name\": \"berth\", \"plugins\": [");
        String msg = sandboxFailure(web("web", null));
        assertThat(msg).startsWith("Failed to create pod sandbox: broken network config " + network.confDir().resolve("05-test.conflist")
                + ": not JSON").endsWith("fix it, or remove it and Berth writes its default at the next pod");
        conflist("{\"cniVersion\": \"1.0.0\", \"name\": \"berth\", \"plugins\": [{\"bridge\": \"x\"}]}");
        String msg2 = sandboxFailure(web("web2", null));
        assertThat(msg2).contains("every plugin needs a \"type\"");
        assertNothingLeft();
    }

    @Test
    void anExhaustedRangeFailsTheNextPodOnlyAndLeavesNothingOfIt() throws Exception {
        // A /30 from host-local: .1 is the gateway, so one pod address (.2).
        conflist(bridgeList("10.87.5.0/30", "").replace("DATA", network.ipamDataDir().toString()));
        Pod first = web("first", null);
        assertThat(running(first).getPodIP()).isEqualTo("10.87.5.2");
        Pod second = web("second", null);
        assertThat(sandboxFailure(second)).contains("failed (add): failed to allocate for range 0: no IP addresses available in range set");
        assertThat(netns.links()).filteredOn(l -> l.startsWith("veth")).hasSize(1);
        assertThat(dirEntries(network.attachmentsDir())).containsExactly(Sandbox.id(uid(first)) + ".json");
        delete(first);
        assertThat(running(second).getPodIP()).as("the retry, once the address is free").isEqualTo("10.87.5.2");
        delete(second);
        assertNothingLeft("10.87.5.2");
    }

    /** A node in its own JVM (NodeChildMain) with this test's network, running {@code pods}. */
    private Process childNode(Pod... pods) throws Exception {
        Path podsFile = f.dir.resolve("pods.json");
        Files.write(podsFile, JsonMapper.builder().build().writeValueAsBytes(new PodListBuilder().withItems(pods).build()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-cp", System.getProperty("java.class.path"), NodeChildMain.class.getName(),
                f.state.toString(), f.cgroupParent, podsFile.toString(), netns.path().toString());
        Process p = new ProcessBuilder(Subreaper.command(f.options.binDir(), f.options.exitsDir(), jvm))
                .redirectErrorStream(true).redirectOutput(f.dir.resolve("child.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        children.add(p);
        Awaitility.await().atMost(T).until(() -> p.children().findAny().isPresent() || !p.isAlive());
        return p;
    }

    /** SIGKILL to the child node's JVM once its pod is attached and running: what a crash leaves. */
    private void crashAfterRunning(Process subreaper, Pod pod) throws Exception {
        ProcessHandle jvm = subreaper.children().findFirst().orElseThrow(() -> new AssertionError("the child JVM did not start"));
        Awaitility.await().atMost(T).until(() -> Files.exists(network.attachmentsDir().resolve(Sandbox.id(uid(pod)) + ".json"))
                && Files.exists(f.state.resolve("pods").resolve(uid(pod)).resolve("web").resolve("0.log")));
        Awaitility.await().atMost(T).until(() -> netns.exec("busybox", "wget", "-q", "-O", "-", "http://10.87.0.1:18081/hostname")
                .out().equals("web\n"));
        jvm.destroyForcibly();
        Awaitility.await().atMost(T).until(() -> !jvm.isAlive());
    }

    @Test
    void aPodDeletedWhileTheNodeWasKilledIsDetachedByTheNextNode() throws Exception {
        Pod pod = web("web", 18081);
        crashAfterRunning(childNode(pod), pod);
        assertThat(netns.iptables()).contains("CNI-DN-");
        // The next node starts without the pod (deleted from the API meanwhile): resume removes all of it.
        f.node.resume(List.of());
        f.listener.awaitGone(uid(pod), T);
        assertNothingLeft("10.87.0.2");
    }

    @Test
    void anAddressWhoseSandboxNoRecordNamesIsReleasedAfterACrash() throws Exception {
        Pod pod = web("web", 18081);
        crashAfterRunning(childNode(pod), pod);
        // As if the crash came between ADD and any file naming the sandbox: only host-local's allocation
        // and the kernel's objects remain.
        Files.delete(f.options.recordsDir().resolve(uid(pod) + ".json"));
        Files.delete(network.attachmentsDir().resolve(Sandbox.id(uid(pod)) + ".json"));
        f.node.resume(List.of());
        Awaitility.await().atMost(T).untilAsserted(() -> assertNothingLeft("10.87.0.2"));
        assertThat(runtime().list()).isEmpty();
    }

    private ContainerRuntime runtime() {
        return new ContainerRuntime(new RuntimeOptions(f.options.runtimeRoot(), f.cgroupParent, false));
    }
}
