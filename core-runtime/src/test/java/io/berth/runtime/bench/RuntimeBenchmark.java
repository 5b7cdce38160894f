package io.berth.runtime.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;

/**
 * Start-to-exit of /bin/true on one busybox bundle, N sequential runs each: through the library
 * in a warm JVM (create + start + wait + delete, cgroups included; once with fds, once as a daemon
 * would, with a spec in memory and output through a ContainerIo pipe), through {@code berth-runtime
 * run}, and through {@code runc run}. Prints p50/p95 and the ratios against runc. Not a test: run
 * it with scripts/bench-runtime.sh (docs/benchmarks.md).
 */
public final class RuntimeBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path berthCli = Path.of(args.length > 1 ? args[1] : "bin/berth-runtime").toAbsolutePath();
        Path work = Files.createTempDirectory("berth-bench-");
        try {
            Path bundle = bundle(work.resolve("bundle"));
            List<Double> lib = library(work, n, (rt, id) -> {
                Container c = rt.create(id, bundle, Stdio.nullStdio());
                rt.start(id);
                return c.waitFor().exitCode();
            });
            Spec spec = SpecJson.read(bundle.resolve("config.json"));
            List<Double> piped = library(work, n, (rt, id) -> {
                // What a daemon does: a spec in memory, stdout and stderr read through one pipe.
                ContainerIo.Output.Pipe out = ContainerIo.Output.pipe();
                Container c = rt.create(id, bundle, spec, ContainerIo.of(ContainerIo.Input.devNull(), out, out));
                rt.start(id);
                try (InputStream in = out.stream()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                return c.waitFor().exitCode();
            });
            List<Double> cli = command(n, i -> List.of(berthCli.toString(), "--root", work.resolve("cli-state").toString(), "run", "--bundle", bundle.toString(), "b" + i));
            List<Double> runc = command(n, i -> List.of("runc", "--root", work.resolve("runc-state").toString(), "run", "--bundle", bundle.toString(), "r" + i));
            System.out.printf(Locale.ROOT, "runs per path: %d (busybox bundle, /bin/true, 6 namespaces, pivot_root, /proc, cgroups)%n", n);
            print("library (warm JVM)", lib, runc);
            print("library, spec+pipe", piped, runc);
            print("berth-runtime run", cli, runc);
            print("runc run", runc, runc);
        } finally {
            BusyboxRootfs.deleteTree(work);
        }
    }

    interface Argv {
        List<String> of(int i);
    }

    private static Path bundle(Path dir) throws IOException {
        Files.createDirectories(dir);
        Spec spec = DefaultSpec.builder().rootPath(BusyboxRootfs.path()).readonlyRoot(true).hostname("bench").args("/bin/true").build();
        Files.writeString(dir.resolve("config.json"), SpecJson.write(spec));
        return dir;
    }

    interface Run {
        int exitCode(ContainerRuntime rt, String id) throws IOException;
    }

    private static List<Double> library(Path work, int n, Run run) throws IOException {
        String parent = "/berth-bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<Double> ms = new ArrayList<>();
        try (ContainerRuntime rt = new ContainerRuntime(RuntimeOptions.defaults(work.resolve("lib-state-" + parent.substring(1))).withCgroupParent(parent))) {
            for (int i = -20; i < n; i++) { // 20 warm-up runs
                long t0 = System.nanoTime();
                String id = "l" + (i + 20);
                int code = run.exitCode(rt, id);
                rt.delete(id, false);
                long t1 = System.nanoTime();
                if (code != 0) {
                    throw new IllegalStateException("/bin/true exited " + code);
                }
                if (i >= 0) {
                    ms.add((t1 - t0) / 1e6);
                }
            }
        } finally {
            Cgroups.open(parent).destroy();
        }
        return ms;
    }

    private static List<Double> command(int n, Argv argv) throws IOException, InterruptedException {
        List<Double> ms = new ArrayList<>();
        for (int i = -3; i < n; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(argv.of(i + 3)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int code = p.waitFor();
            long t1 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", argv.of(i + 3)) + " exited " + code);
            }
            if (i >= 0) {
                ms.add((t1 - t0) / 1e6);
            }
        }
        return ms;
    }

    private static void print(String name, List<Double> ms, List<Double> runc) {
        System.out.printf(Locale.ROOT, "%-20s p50 %8.2f ms  p95 %8.2f ms  p50 ratio vs runc %6.2fx%n",
                name, pct(ms, 50), pct(ms, 95), pct(ms, 50) / pct(runc, 50));
    }

    static double pct(List<Double> values, int p) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
