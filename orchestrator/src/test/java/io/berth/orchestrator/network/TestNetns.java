package io.berth.orchestrator.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.berth.testkit.Requirements;

/**
 * A network namespace of the test's own ({@code ip netns add berth-test-XXXXXXXX}, lo up): the
 * "host" side the CNI plugins run in ({@link NetworkOptions#hostNetns}), so the bridge, the veths'
 * host ends and portmap's and firewall's rules are all in it and go with it. Nothing a test does
 * with it reaches the machine's real network. Removed on close, also when the test failed.
 */
public final class TestNetns implements AutoCloseable {
    public final String name = "berth-test-" + UUID.randomUUID().toString().substring(0, 8);

    public record Result(int exit, String out) {
    }

    /** Skips (or fails under berth.requireAll) without root, iproute2 or the CNI plugins. */
    public static void requirements() {
        Requirements.root();
        Requirements.command("ip", "iproute2");
        Requirements.command("iptables-save", "iptables");
        Requirements.require(Files.isExecutable(NetworkOptions.DEBIAN_PLUGIN_DIR.resolve("bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
    }

    public TestNetns() {
        requirements();
        run("ip", "netns", "add", name);
        exec("ip", "link", "set", "lo", "up");
    }

    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** The node's network, its plugins run in this namespace. */
    public NetworkOptions options(Path stateRoot) {
        return NetworkOptions.cni(stateRoot).withHostNetns(path());
    }

    /** A command in this namespace. */
    public Result exec(String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    /** Interface names in this namespace ("veth1234abcd" without the @ifN). */
    public List<String> links() {
        return exec("ip", "-o", "link").out().lines().map(l -> l.split(":")[1].trim().split("@")[0]).toList();
    }

    /** Every iptables rule and chain of this namespace (nat and filter). */
    public String iptables() {
        return exec("iptables-save").out();
    }

    public static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        run("ip", "netns", "del", name);
    }
}
