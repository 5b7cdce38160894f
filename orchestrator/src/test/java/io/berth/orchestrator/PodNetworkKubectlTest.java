package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.network.TestNetns;
import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The daemon with its network (berth.network.mode=cni, the plugins in a namespace of the test's
 * own): kubectl sees the pod's IP in status and in {@code -o wide}, hostPort answers from that
 * namespace, and a delete leaves no veth or address.
 */
class PodNetworkKubectlTest {

    @Test
    void kubectlShowsThePodIpAndTheHostPortAnswers() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        Path dir = RealNode.dirWithBusybox("berth-net-kubectl-test");
        try (TestNetns netns = new TestNetns()) {
            Files.writeString(dir.resolve("network-netns"), netns.path().toString());
            // No masquerading anywhere from a test: the conflist is the default with ipMasq false.
            io.berth.orchestrator.network.CniConfig.writeDefault(dir.resolve("state/cni/net.d"), dir.resolve("state/cni/networks"), false);
            try (DaemonFixture d = DaemonFixture.withNode(dir, "net-kubectl")) {
                run(d, netns);
            }
        }
    }

    private static void run(DaemonFixture d, TestNetns netns) throws Exception {
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: busybox
                    imagePullPolicy: IfNotPresent
                    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
                    ports: [{containerPort: 8080, hostPort: 18082}]
                """;
        DaemonFixture.Result created = d.kubectlWithInput(pod, "apply", "-f", "-");
        assertThat(created.exit()).as(created.toString()).isZero();
        Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", "web", "-o", "jsonpath={.status.phase}").out().equals("Running"));
        String ip = d.kubectl("get", "pod", "web", "-o", "jsonpath={.status.podIP}").out();
        assertThat(ip).startsWith("10.87.");
        assertThat(d.kubectl("get", "pod", "web", "-o", "jsonpath={.status.podIPs[0].ip}").out()).isEqualTo(ip);
        assertThat(d.kubectl("get", "pods", "-o", "wide").out()).containsPattern("web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+" + ip.replace(".", "\\.") + "\\s");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() ->
                netns.exec("busybox", "wget", "-q", "-O", "-", "http://10.87.0.1:18082/hostname").out().equals("web\n"));
        DaemonFixture.Result deleted = d.kubectl("delete", "pod", "web");
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(netns.links()).filteredOn(l -> l.startsWith("veth")).isEmpty();
        assertThat(netns.iptables()).doesNotContain(ip + "/").doesNotContain("18082");
    }
}
