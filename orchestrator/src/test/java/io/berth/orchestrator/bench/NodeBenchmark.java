package io.berth.orchestrator.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.berth.image.content.Progress;
import io.berth.image.rootfs.RootfsManager;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.kuberuntime.NodeOptions;
import io.berth.orchestrator.kuberuntime.NodePodRuntime;
import io.berth.orchestrator.kuberuntime.PodStatusListener;
import io.berth.orchestrator.monitor.NativeBinaries;
import io.berth.orchestrator.reconcile.BackoffPolicy;
import io.berth.orchestrator.store.NodeRecords;
import io.berth.orchestrator.store.PodRecord;
import io.berth.runtime.cgroup.CgroupMigrations;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.testkit.BusyboxRootfs;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Prints the node's figures (docs/benchmarks.md): (1) reaction from a container's exit to its
 * restarted process running, beyond the backoff delay, and (2) the memory a pod costs outside its
 * containers (the sandbox's pause; berth-subreaper, shared by every pod of the node).
 *
 * <p>(1): the container is {@code sh -c 'echo up; exec sleep 600'}; the benchmark SIGKILLs it and
 * measures from the exit (its own pidfd turns readable) until the next run's log file holds "up"
 * (the new process has exec'd sh and written), minus the backoff delay (a 1 ms policy by default, so the figure is the node's own work; -Dbench.backoffMs=N for another).
 * -Dbench.runMs=N lets each run live N ms before the kill (default 0). Needs root.
 * Usage: NodeBenchmark [restarts] [pods]
 */
public final class NodeBenchmark {
    private NodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int restarts = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("berth-node-bench-");
        Path state = dir.resolve("state");
        String cgroupParent = "/berth-node-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path tar = dir.resolve("busybox.tar");
        new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".").inheritIO().start().waitFor();
        new ImageStore(state).importRootfs(tar, "busybox", Progress.NONE);
        // 1 ms by default: the node's own work. A real policy waits 1 s or more, and the exit's
        // bookkeeping (its record write) is done during the wait: -Dbench.backoffMs=100 measures that case.
        long backoffMs = Long.getLong("bench.backoffMs", 1);
        // 0: each run is killed as soon as it wrote "up", while the node may still be mounting the next
        // run's spare root, which the restart then waits for. -Dbench.runMs=N lets each run live N ms
        // first, as a crashing container does at least for a while: the restart then finds its spare ready.
        long runMs = Long.getLong("bench.runMs", 0);
        BackoffPolicy policy = new BackoffPolicy(Duration.ofMillis(backoffMs), Duration.ofMillis(backoffMs), Duration.ofMinutes(10));
        NodeOptions options = NodeOptions.defaults(state).withCgroupParent(cgroupParent).withRestartBackoff(policy)
                .withResyncInterval(Duration.ofSeconds(30));
        PodStatusListener quiet = new PodStatusListener() {
            @Override
            public void statusChanged(String podUid, PodStatus status) {
            }

            @Override
            public void event(String podUid, String type, String reason, String message) {
            }

            @Override
            public void podGone(String podUid) {
            }
        };
        // As the daemon does before its node starts (NodeSide): -Dbench.favorCgroupMigrations=false measures a host without it.
        if (!"false".equals(System.getProperty("bench.favorCgroupMigrations"))) {
            System.out.println(CgroupMigrations.favorDynamicModifications().message());
        }
        NodePodRuntime node = new NodePodRuntime(options, quiet);
        NodeRecords records = new NodeRecords(options.recordsDir());
        List<String> uids = new ArrayList<>();
        try {
            System.out.println("== " + java.time.Instant.now() + " " + System.getProperty("os.version") + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, load " + Files.readString(Path.of("/proc/loadavg")).trim());
            Pod pod = pod("restart", "sh", "-c", "echo up; exec sleep 600");
            uids.add(pod.getMetadata().getUid());
            node.sync(pod);
            String uid = pod.getMetadata().getUid();
            double[] ms = new double[restarts];
            double[] killToExit = new double[restarts];
            for (int i = 0; i <= restarts; i++) {
                Path log = options.logs().current(uid, "c", i);
                awaitUp(log, Duration.ofSeconds(30));
                if (i == restarts) {
                    break;
                }
                PodRecord.Instance cur = awaitRunning(records, uid, i);
                if (runMs > 0) {
                    Thread.sleep(runMs);
                }
                io.berth.runtime.linux.PidFd pidfd = io.berth.runtime.linux.PidFd.open(cur.pid).orElseThrow();
                java.util.concurrent.CountDownLatch gone = new java.util.concurrent.CountDownLatch(1);
                var watch = io.berth.runtime.linux.ExitWatcher.shared().watch(pidfd.fd(), gone::countDown);
                long t0 = System.nanoTime();
                ProcessHandle.of(cur.pid).orElseThrow().destroyForcibly();
                // The exit as the kernel shows it (on the pidfd): a PID namespace's init takes its namespace down first.
                gone.await();
                long exited = System.nanoTime();
                watch.cancel();
                pidfd.close();
                Path next = options.logs().current(uid, "c", i + 1);
                awaitUp(next, Duration.ofSeconds(30));
                // The first restart is immediate; every later one waits the policy's delay first.
                ms[i] = (System.nanoTime() - exited) / 1e6 - (i == 0 ? 0 : backoffMs);
                killToExit[i] = (exited - t0) / 1e6;
            }
            // The first restarts warm the JIT; report all and the steady state.
            System.out.printf("exit -> restarted process running, minus backoff, %d restarts: %s%n", restarts, summary(ms));
            System.out.printf("  the same without the first 10 (JIT warm-up): %s%n", summary(Arrays.copyOfRange(ms, Math.min(10, restarts - 1), restarts)));
            System.out.printf("  (before it, SIGKILL -> exit visible on a pidfd, the kernel's part: %s)%n", summary(killToExit));

            // The same moment's reference: core-runtime alone, create + start of the same program on
            // the busybox tree (no overlay, no pod, no records), until it has written "up".
            double[] bare = new double[Math.min(restarts, 50)];
            try (io.berth.runtime.container.ContainerRuntime rt = new io.berth.runtime.container.ContainerRuntime(
                    new io.berth.runtime.container.RuntimeOptions(dir.resolve("bare-runtime"), cgroupParent + "/bare", false))) {
                for (int i = 0; i < bare.length; i++) {
                    Path out = dir.resolve("bare-" + i + ".log");
                    Files.createFile(out);
                    var o = io.berth.runtime.container.ContainerIo.Output.append(out);
                    long t0 = System.nanoTime();
                    io.berth.runtime.container.Container ct = rt.create("bare-" + i, dir, bareSpec(cgroupParent + "/bare/bare-" + i),
                            io.berth.runtime.container.ContainerIo.of(io.berth.runtime.container.ContainerIo.Input.devNull(), o, o));
                    rt.start(ct.id());
                    awaitUp(out, Duration.ofSeconds(30));
                    bare[i] = (System.nanoTime() - t0) / 1e6;
                    rt.delete(ct.id(), true);
                }
            }
            System.out.printf("  (reference, same moment: core-runtime create + start to \"up\", %d runs: %s)%n", bare.length, summary(bare));

            // (2) memory outside the containers.
            List<Integer> pausePids = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                Pod p = pod("idle-" + i, "sh", "-c", "exec sleep 600");
                uids.add(p.getMetadata().getUid());
                node.sync(p);
            }
            for (String u : uids) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                PodRecord r;
                while ((r = records.load(u)) == null || r.sandbox == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("pod " + u + " has no sandbox after 60 s");
                    }
                    Thread.sleep(20);
                }
                pausePids.add(r.sandbox.pid);
            }
            long rss = 0;
            long pss = 0;
            for (int pid : pausePids) {
                rss += statusKb(pid, "VmRSS:");
                pss += smapsRollupKb(pid, "Pss:");
            }
            System.out.printf("pause (per pod), %d sandboxes: RSS %.0f KiB each, PSS %.0f KiB each (static binary %d KiB on disk)%n",
                    pausePids.size(), rss / (double) pausePids.size(), pss / (double) pausePids.size(),
                    Files.size(NativeBinaries.extract(NativeBinaries.PAUSE, options.binDir())) / 1024);
            Process sub = new ProcessBuilder(NativeBinaries.extract(NativeBinaries.SUBREAPER, options.binDir()).toString(),
                    dir.resolve("exits-bench").toString(), "sleep", "5").start();
            Thread.sleep(300);
            System.out.printf("berth-subreaper (per node, shared by all pods): RSS %d KiB, PSS %d KiB%n",
                    statusKb((int) sub.pid(), "VmRSS:"), smapsRollupKb((int) sub.pid(), "Pss:"));
            sub.destroy();
            sub.waitFor();
            System.out.printf("JVM threads watching exits: core-runtime's one exit watcher for every pidfd (%d pidfds watched now)%n",
                    io.berth.runtime.linux.ExitWatcher.shared().watching());
        } finally {
            for (String u : uids) {
                node.terminate(u, Duration.ZERO);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (uids.stream().anyMatch(u -> records.load(u) != null) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            node.close();
            Cgroups.open(cgroupParent).killAll(9);
            Cgroups.open(cgroupParent).destroy();
            RootfsManager rm = new RootfsManager(new ImageStore(state), RootfsManager.Mode.AUTO);
            Path containers = state.resolve("containers");
            if (Files.isDirectory(containers)) {
                try (var s = Files.list(containers)) {
                    for (Path d : s.toList()) {
                        rm.delete(d.getFileName().toString());
                    }
                }
            }
            BusyboxRootfs.deleteTree(dir);
        }
    }

    private static io.berth.runtime.oci.Spec bareSpec(String cgroupsPath) {
        io.berth.runtime.oci.Spec d = io.berth.runtime.oci.DefaultSpec.create();
        io.berth.runtime.oci.Spec.Process p = d.process();
        io.berth.runtime.oci.Spec.Process proc = new io.berth.runtime.oci.Spec.Process(false, null, p.user(),
                java.util.List.of("sh", "-c", "echo up; exec sleep 600"), null, p.env(), "/", p.capabilities(), p.rlimits(),
                p.noNewPrivileges(), null, null, null, null, null, null);
        io.berth.runtime.oci.Spec.Linux l = d.linux();
        io.berth.runtime.oci.Spec.Linux linux = new io.berth.runtime.oci.Spec.Linux(l.namespaces(), null, null, null, l.devices(),
                cgroupsPath, l.resources(), null, null, null, l.maskedPaths(), l.readonlyPaths(), null, null, null);
        return new io.berth.runtime.oci.Spec(d.ociVersion(), proc, new io.berth.runtime.oci.Spec.Root(BusyboxRootfs.path().toString(), true),
                "bare", null, d.mounts(), null, null, linux);
    }

    private static Pod pod(String name, String... command) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(UUID.randomUUID().toString())
                .endMetadata().withNewSpec().withRestartPolicy("Always")
                .withContainers(new ContainerBuilder().withName("c").withImage("busybox").withImagePullPolicy("IfNotPresent")
                        .withCommand(command).build())
                .endSpec().build();
    }

    private static PodRecord.Instance awaitRunning(NodeRecords records, String uid, int attempt) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            PodRecord r = records.load(uid);
            PodRecord.ContainerEntry e = r == null ? null : r.containers.get("c");
            if (e != null && e.current != null && e.current.attempt == attempt && e.current.state == PodRecord.InstanceState.RUNNING) {
                return e.current;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + attempt + " of pod " + uid + " is not running after 30 s");
            }
            Thread.sleep(1);
        }
    }

    private static void awaitUp(Path log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            try {
                if (Files.size(log) > 0) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not created yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(log + " got no output within " + timeout);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private static long statusKb(int pid, String key) throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(key)) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static long smapsRollupKb(int pid, String key) throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (l.startsWith(key)) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String summary(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", s[s.length / 2], s[(int) (s.length * 0.9)],
                s[Math.min(s.length - 1, (int) (s.length * 0.99))], s[s.length - 1]);
    }
}
