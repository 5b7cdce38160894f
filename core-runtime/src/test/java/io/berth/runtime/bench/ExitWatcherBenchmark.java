package io.berth.runtime.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.container.RuntimeOptions;
import io.berth.runtime.linux.ExitWatcher;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;

/**
 * N sleeping containers watched for their exits by the JVM's one exit watcher: prints the JVM's
 * threads and RSS before and while they are watched, then SIGKILLs them all and prints how long
 * each exit took to reach its {@code onExit()} future. Not a test: run it with
 * scripts/bench-exits.sh (docs/benchmarks.md).
 */
public final class ExitWatcherBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Path work = Files.createTempDirectory("berth-bench-exits-");
        String parent = "/berth-bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (ContainerRuntime rt = new ContainerRuntime(RuntimeOptions.defaults(work.resolve("state")).withCgroupParent(parent))) {
            Path bundle = bundle(work.resolve("bundle"));
            // Warm-up: classes, the native library and the watcher's two threads exist before the "before".
            Container warm = rt.create("warm", bundle, Stdio.nullStdio());
            rt.start("warm");
            rt.kill("warm", Signals.SIGKILL, false);
            warm.waitFor();
            rt.delete("warm", false);
            System.gc();
            int threads0 = threads();
            long rss0 = rssKib();

            long t0 = System.nanoTime();
            List<Container> all = new ArrayList<>();
            List<CompletableFuture<ExitResult>> exits = new ArrayList<>();
            long[] exitedAt = new long[n];
            for (int i = 0; i < n; i++) {
                Container c = rt.create("s" + i, bundle, Stdio.nullStdio());
                rt.start(c.id());
                all.add(c);
                int k = i;
                exits.add(c.onExit().whenComplete((r, e) -> exitedAt[k] = System.nanoTime()));
            }
            long t1 = System.nanoTime();
            int threads1 = threads();
            long rss1 = rssKib();
            System.out.printf(Locale.ROOT, "containers: %d sleeping (busybox sleep, 6 namespaces, cgroups in every hierarchy), created and started in %.1f s%n",
                    n, (t1 - t0) / 1e9);
            System.out.printf(Locale.ROOT, "JVM threads: %d before, %d while %d containers are watched (watches pending: %d)%n",
                    threads0, threads1, n, ExitWatcher.shared().watching());
            System.out.printf(Locale.ROOT, "JVM RSS: %.1f MiB before, %.1f MiB while watched (+%.1f KiB per container, uncollected garbage of the creates included)%n",
                    rss0 / 1024.0, rss1 / 1024.0, (rss1 - rss0) / (double) n);

            long[] killedAt = new long[n];
            for (int i = 0; i < n; i++) {
                killedAt[i] = System.nanoTime();
                rt.kill(all.get(i).id(), Signals.SIGKILL, false);
            }
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            long t2 = System.nanoTime();
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (exits.get(i).join().exitCode() != 137) {
                    throw new IllegalStateException("s" + i + " " + exits.get(i).join().describe());
                }
                ms.add((exitedAt[i] - killedAt[i]) / 1e6);
            }
            Collections.sort(ms);
            System.out.printf(Locale.ROOT, "SIGKILL to onExit() completed: p50 %.2f ms, p95 %.2f ms, max %.2f ms; all %d in %.2f s from the first kill%n",
                    ms.get(n / 2), ms.get((int) (n * 0.95)), ms.get(n - 1), n, (t2 - killedAt[0]) / 1e9);
            long t3 = System.nanoTime();
            for (Container c : all) {
                rt.delete(c.id(), false);
            }
            System.out.printf(Locale.ROOT, "deleted %d in %.1f s; cgroup parent left: %s%n", n, (System.nanoTime() - t3) / 1e9,
                    Files.exists(Path.of("/sys/fs/cgroup/memory").resolve(parent.substring(1))));
        } finally {
            BusyboxRootfs.deleteTree(work);
        }
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static Path bundle(Path dir) throws IOException {
        Files.createDirectories(dir);
        Spec d = DefaultSpec.create();
        Spec.Process p = d.process();
        p = new Spec.Process(false, null, p.user(), List.of("sleep", "3600"), null, p.env(), p.cwd(), p.capabilities(),
                p.rlimits(), p.noNewPrivileges(), null, null, null, null, null, null);
        Spec spec = new Spec(d.ociVersion(), p, new Spec.Root(BusyboxRootfs.path().toString(), true), "bench", null,
                d.mounts(), null, d.annotations(), d.linux());
        Files.writeString(dir.resolve("config.json"), SpecJson.write(spec));
        return dir;
    }
}
