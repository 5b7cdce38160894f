package io.berth.runtime.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.containerd.CtrResult;
import io.berth.runtime.containerd.LocalContainerd;
import io.berth.testkit.Requirements;

/**
 * The deployment snippets agree with each other and with containerd: the handler name the
 * RuntimeClass uses is the runtime the containerd snippet defines, containerd 1.6 itself reads the
 * snippet as intended, and BinaryName is where deploy/install.sh puts the link.
 */
class DeployFilesTest {
    private static final Path SNIPPET = Path.of("deploy/containerd/berth-runtime.toml");
    private static final Path RUNTIME_CLASS = Path.of("deploy/kubernetes/runtimeclass.yaml");

    @TempDir
    Path tmp;

    @Test
    void containerdReadsTheSnippetAsARuncV2HandlerCalledBerth() throws IOException {
        Path containerd = Requirements.command("containerd", "containerd");
        Path config = tmp.resolve("config.toml");
        // The way docs/kubernetes.md tells operators to use it: imported from the main config.
        Files.writeString(config, "version = 2\nimports = [\"" + Checkout.root().resolve(SNIPPET) + "\"]\n");

        CtrResult dump = LocalContainerd.run(List.of(containerd.toString(), "--config", config.toString(), "config", "dump"),
                Duration.ofSeconds(30));

        assertThat(dump.exitCode()).as(dump.describe()).isZero();
        String berth = section(dump.stdout(), "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.berth]");
        assertThat(berth).contains("runtime_type = \"io.containerd.runc.v2\"");
        String options = section(dump.stdout(), "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.berth.options]");
        assertThat(options).contains("BinaryName = \"/usr/local/bin/berth-runtime\"", "SystemdCgroup = false");
    }

    @Test
    void runtimeClassHandlerAndInstallLinkMatchTheSnippet() throws IOException {
        String snippet = Files.readString(Checkout.root().resolve(SNIPPET));
        String runtimeClass = Files.readString(Checkout.root().resolve(RUNTIME_CLASS));
        String install = Files.readString(Checkout.root().resolve("deploy/install.sh"));

        String handler = group(snippet, "\\[plugins\\.\"io\\.containerd\\.grpc\\.v1\\.cri\"\\.containerd\\.runtimes\\.([a-z0-9-]+)\\]");
        assertThat(group(runtimeClass, "(?m)^handler:\\s*(\\S+)")).isEqualTo(handler);
        assertThat(group(runtimeClass, "(?m)^kind: RuntimeClass\\s+metadata:\\s+name:\\s*(\\S+)")).isEqualTo(handler);
        assertThat(group(runtimeClass, "(?m)^\\s+runtimeClassName:\\s*(\\S+)")).isEqualTo(handler);

        String binary = group(snippet, "BinaryName = \"([^\"]+)\"");
        assertThat(install).contains("prefix=${BERTH_PREFIX:-/usr/local}", "link=\"$prefix/bin/berth-runtime\"");
        assertThat(binary).isEqualTo("/usr/local/bin/berth-runtime");
    }

    /** The lines of one TOML table, up to the next table header (a line starting with "[name"). */
    private static String section(String toml, String header) {
        int start = toml.indexOf(header);
        assertThat(start).as("table " + header + " in\n" + toml).isNotNegative();
        Matcher next = Pattern.compile("(?m)^\\s*\\[[^\\]\\s]").matcher(toml);
        int end = next.find(start + header.length()) ? next.start() : toml.length();
        return toml.substring(start, end);
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in\n" + text).isTrue();
        return m.group(1);
    }
}
