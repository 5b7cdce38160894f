package io.berth.orchestrator.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.berth.orchestrator.network.CniConfig;
import io.berth.orchestrator.network.NetworkOptions;
import io.berth.orchestrator.network.PodNetwork;
import io.berth.orchestrator.network.TestNetns;
import io.berth.orchestrator.sandbox.Sandbox;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The network's figures (docs/benchmarks.md, "Pod networking"), everything inside a network
 * namespace of its own (the plugins' host side; ipMasq off), so nothing touches the machine's network.
 *
 * <p>(1) A sandbox with its network ready: Berth's pause started and attached through
 * {@link PodNetwork#setUp} (the conflist read, the attachment cached, ADD through the chain, the /etc
 * files), against the same plugin chain driven by hand as cnitool does it on a fresh
 * {@code ip netns add} namespace; rounds alternate so both see the same load.
 * (2) Pod to pod TCP throughput with iperf3 (run in the two sandboxes' namespaces with nsenter;
 * veth, bridge, veth) against a plain veth pair between two fresh namespaces, alternating.
 * Needs root, containernetworking-plugins and iperf3. Usage: NetworkBenchmark [rounds] [iperf seconds] [iperf runs]
 */
public final class NetworkBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private NetworkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("berth-net-bench-");
        String cgroupParent = "/berth-net-bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestNetns host = new TestNetns();
             ContainerRuntime runtime = new ContainerRuntime(new RuntimeOptions(dir.resolve("runtime"), cgroupParent, false))) {
            NetworkOptions options = host.options(dir);
            CniConfig.writeDefault(options.confDir(), options.ipamDataDir(), false);
            PodNetwork network = new PodNetwork(options);
            Path rootfs = Sandbox.prepareRootfs(dir.resolve("sandbox-rootfs"));
            CniConfig config = CniConfig.load(options.confDir(), options.ipamDataDir());
            try {
                sandboxes(rounds, runtime, network, rootfs, cgroupParent, host, config);
                throughput(seconds, runs, runtime, network, rootfs, cgroupParent);
            } finally {
                Cgroups.open(cgroupParent).killAll(9);
                Cgroups.open(cgroupParent).destroy();
            }
        } finally {
            TestNetns.run("rm", "-rf", dir.toString());
        }
    }

    private static void sandboxes(int rounds, ContainerRuntime runtime, PodNetwork network, Path rootfs, String cgroupParent,
            TestNetns host, CniConfig config) throws Exception {
        List<Double> berth = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        for (int i = 0; i < rounds + 5; i++) {
            Pod pod = pod("bench-" + i);
            String uid = pod.getMetadata().getUid();
            long t0 = System.nanoTime();
            Container c = Sandbox.start(runtime, uid, rootfs, "bench", cgroupParent + "/" + uid, Map.of());
            network.setUp(pod, "bench", Sandbox.id(uid), c.pid(), c.record().pidStartTime());
            long t1 = System.nanoTime();
            network.tearDown(uid, Sandbox.id(uid));
            runtime.delete(Sandbox.id(uid), true);
            Cgroups.open(cgroupParent + "/" + uid).destroy();

            String ns = "berth-bench-" + i + "-" + UUID.randomUUID().toString().substring(0, 4);
            long t2 = System.nanoTime();
            TestNetns.run("ip", "netns", "add", ns);
            ObjectNode result = chain("ADD", config, host, ns, null);
            long t3 = System.nanoTime();
            chain("DEL", config, host, ns, result);
            TestNetns.run("ip", "netns", "del", ns);
            if (i >= 5) { // the first rounds warm the JIT and the page cache
                berth.add((t1 - t0) / 1e6);
                direct.add((t3 - t2) / 1e6);
            }
        }
        double b = p50(berth);
        double d = p50(direct);
        System.out.printf("sandbox + network ready, %d rounds (p50 / p90 ms): Berth (pause + PodNetwork.setUp) %.1f / %.1f; "
                + "by hand (ip netns add + the chain) %.1f / %.1f; ratio %.2f%n", rounds, b, pct(berth, 0.9), d, pct(direct, 0.9), b / d);
    }

    /** cnitool's way: each plugin with the previous result, by hand, in the host namespace. */
    private static ObjectNode chain(String command, CniConfig config, TestNetns host, String ns, ObjectNode prev) throws Exception {
        List<ObjectNode> plugins = new ArrayList<>(config.plugins());
        if (command.equals("DEL")) {
            java.util.Collections.reverse(plugins);
        }
        ObjectNode last = prev;
        for (ObjectNode p : plugins) {
            ObjectNode conf = p.deepCopy();
            conf.put("name", config.name());
            conf.put("cniVersion", config.cniVersion());
            if (last != null) {
                conf.set("prevResult", last);
            }
            ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=" + host.path(), "--", "/usr/lib/cni/" + p.get("type").asString());
            pb.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", ns, "CNI_NETNS", "/run/netns/" + ns,
                    "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"));
            Process proc = pb.start();
            try (var in = proc.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(conf));
            }
            byte[] out = proc.getInputStream().readAllBytes();
            if (proc.waitFor() != 0) {
                throw new IllegalStateException(p.get("type") + " " + command + ": " + new String(out, StandardCharsets.UTF_8));
            }
            if (command.equals("ADD") && out.length > 0) {
                last = (ObjectNode) JSON.readTree(out);
            }
        }
        return last;
    }

    private static void throughput(int seconds, int runs, ContainerRuntime runtime, PodNetwork network, Path rootfs, String cgroupParent)
            throws Exception {
        Pod a = pod("iperf-a");
        Pod b = pod("iperf-b");
        int[] pids = new int[2];
        String ipA = null;
        int n = 0;
        for (Pod p : new Pod[] {a, b}) {
            String uid = p.getMetadata().getUid();
            Container c = Sandbox.start(runtime, uid, rootfs, "iperf", cgroupParent + "/" + uid, Map.of());
            List<String> ips = network.setUp(p, "iperf", Sandbox.id(uid), c.pid(), c.record().pidStartTime()).ips();
            if (ipA == null) {
                ipA = ips.get(0);
            }
            pids[n++] = c.pid();
        }
        String pairA = "berth-veth-a-" + UUID.randomUUID().toString().substring(0, 4);
        String pairB = "berth-veth-b-" + UUID.randomUUID().toString().substring(0, 4);
        TestNetns.run("ip", "netns", "add", pairA);
        TestNetns.run("ip", "netns", "add", pairB);
        try {
            TestNetns.run("ip", "-n", pairA, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", pairB);
            for (String[] s : new String[][] {{pairA, "10.99.0.1/24"}, {pairB, "10.99.0.2/24"}}) {
                TestNetns.run("ip", "-n", s[0], "addr", "add", s[1], "dev", "eth0");
                TestNetns.run("ip", "-n", s[0], "link", "set", "eth0", "up");
                TestNetns.run("ip", "-n", s[0], "link", "set", "lo", "up");
            }
            List<Double> pods = new ArrayList<>();
            List<Double> veth = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                pods.add(iperf("/proc/" + pids[0] + "/ns/net", "/proc/" + pids[1] + "/ns/net", ipA, seconds));
                veth.add(iperf("/run/netns/" + pairA, "/run/netns/" + pairB, "10.99.0.1", seconds));
            }
            double p = p50(pods);
            double v = p50(veth);
            System.out.printf("TCP throughput, iperf3 %d x %d s (median, Gbit/s): pod to pod %.2f %s; plain veth pair %.2f %s; ratio %.2f%n",
                    runs, seconds, p, pods, v, veth, p / v);
        } finally {
            TestNetns.run("ip", "netns", "del", pairA);
            TestNetns.run("ip", "netns", "del", pairB);
            for (Pod p : new Pod[] {a, b}) {
                String uid = p.getMetadata().getUid();
                network.tearDown(uid, Sandbox.id(uid));
                runtime.delete(Sandbox.id(uid), true);
                Cgroups.open(cgroupParent + "/" + uid).destroy();
            }
        }
    }

    /** iperf3's received rate, Gbit/s: a one-off server in {@code serverNs}, the client in {@code clientNs}. */
    private static double iperf(String serverNs, String clientNs, String serverIp, int seconds) throws Exception {
        Process server = new ProcessBuilder("nsenter", "--net=" + serverNs, "--", "iperf3", "-s", "-1", "-p", "5201")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(300);
            Process client = new ProcessBuilder("nsenter", "--net=" + clientNs, "--", "iperf3", "-c", serverIp, "-p", "5201", "-t",
                    Integer.toString(seconds), "-J").start();
            byte[] out = client.getInputStream().readAllBytes();
            if (!client.waitFor(seconds + 30L, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new IllegalStateException("iperf3 client failed: " + new String(out, StandardCharsets.UTF_8));
            }
            JsonNode r = JSON.readTree(out);
            return r.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9;
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(UUID.randomUUID().toString())
                .endMetadata().withNewSpec().endSpec().build();
    }

    private static double p50(List<Double> v) {
        return pct(v, 0.5);
    }

    private static double pct(List<Double> v, double q) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(q * (s.length - 1) + 0.5))];
    }
}
