package io.berth.orchestrator.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The pod's /etc files and the conflist's loading, without any plugin run. */
class PodFilesAndConfigTest {
    @TempDir
    Path dir;

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("team").withUid("u1").endMetadata()
                .withNewSpec().endSpec().build();
    }

    @Test
    void resolvConfIsTheHostsPlusTheDnsConfigAtMostThreeNameservers() throws Exception {
        Path host = dir.resolve("resolv.conf");
        Files.writeString(host, "# a comment\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.example\noptions ndots:2\n");
        Pod p = new PodBuilder(pod()).editSpec().withNewDnsConfig().withNameservers("10.0.0.3", "10.0.0.4").withSearches("b.example")
                .addNewOption().withName("edns0").endOption().endDnsConfig().endSpec().build();
        assertThat(PodFiles.resolvConf(p, host))
                .isEqualTo("nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch a.example b.example\noptions ndots:2 edns0\n");
        Pod none = new PodBuilder(p).editSpec().withDnsPolicy("None").endSpec().build();
        assertThat(PodFiles.resolvConf(none, host)).isEqualTo("nameserver 10.0.0.3\nnameserver 10.0.0.4\nsearch b.example\noptions edns0\n");
    }

    @Test
    void hostsNamesThePodOnEachAddressWithItsSubdomain() {
        Pod p = new PodBuilder(pod()).editSpec().withSubdomain("svc").endSpec().build();
        assertThat(PodFiles.hosts(p, "p", List.of("10.87.0.5")))
                .startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
                .endsWith("10.87.0.5\tp.svc.team.svc.cluster.local\tp\n");
    }

    @Test
    void filesAreWrittenAndFoundAgain() {
        var written = PodFiles.write(dir.resolve("pod"), pod(), "p", List.of(), dir.resolve("missing"));
        assertThat(written.keySet()).containsExactly("/etc/hosts", "/etc/resolv.conf", "/etc/hostname");
        assertThat(PodFiles.existing(dir.resolve("pod"))).isEqualTo(written);
        assertThat(PodFiles.existing(dir.resolve("other"))).isEmpty();
    }

    @Test
    void aFirstLoadWritesTheDefaultAndASingleConfBecomesAListOfOne() throws Exception {
        CniConfig c = CniConfig.load(dir.resolve("net.d"), dir.resolve("networks"));
        assertThat(c.name()).isEqualTo("berth");
        assertThat(c.cniVersion()).isEqualTo("1.0.0");
        assertThat(c.plugins()).extracting(p -> p.get("type").asString()).containsExactly("bridge", "loopback", "portmap", "firewall");
        assertThat(c.hostLocalDir()).isEqualTo(dir.resolve("networks").resolve("berth"));

        Files.writeString(dir.resolve("net.d/01-one.conf"), "{\"cniVersion\": \"0.4.0\", \"name\": \"one\", \"type\": \"ptp\"}");
        CniConfig one = CniConfig.load(dir.resolve("net.d"), dir.resolve("networks"));
        assertThat(one.file().getFileName().toString()).isEqualTo("01-one.conf");
        assertThat(one.cniVersion()).isEqualTo("0.4.0");
        assertThat(one.json().get("plugins")).hasSize(1);
        assertThat(one.hostLocalDir()).isNull();
    }

    @Test
    void aConfigWithoutNameOrVersionIsRefusedWithWhatIsMissing() throws Exception {
        Path f = dir.resolve("x.conflist");
        Files.writeString(f, "{\"name\": \"n\", \"plugins\": [{\"type\": \"bridge\"}]}");
        assertThatThrownBy(() -> CniConfig.parse(f)).isInstanceOf(CniException.class).hasMessageContaining(": no \"cniVersion\"");
        Files.writeString(f, "[1]");
        assertThatThrownBy(() -> CniConfig.parse(f)).hasMessageContaining(": not a JSON object");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(PluginChain.atLeast("1.0.0", "0.4.0")).isTrue();
        assertThat(PluginChain.atLeast("0.3.1", "0.4.0")).isFalse();
        assertThat(PluginChain.atLeast("0.10.0", "0.4.0")).isTrue();
    }

    @Test
    void settingsNameWhatIsWrong() {
        assertThatThrownBy(() -> NetworkOptions.fromSettings(dir, "bridge", "")).hasMessage("berth.network.mode must be cni or none, not 'bridge'");
        assertThatThrownBy(() -> NetworkOptions.fromSettings(dir, "cni", "/run/netns/no-such-berth-netns"))
                .hasMessageStartingWith("berth.network.netns '/run/netns/no-such-berth-netns' is not an existing absolute path");
        assertThat(NetworkOptions.fromSettings(dir, "none", "").enabled()).isFalse();
    }
}
