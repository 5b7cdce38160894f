package io.berth.runtime.containerd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How long {@code ctr run --rm IMAGE ID true} takes end to end through containerd 1.6 and its runc
 * shim with each runtime binary: the latency a pod's container start pays on top of image work.
 * A program, not a test: it prints figures and judges nothing. Run it with
 * {@code scripts/bench-containerd.sh [RUNS] [BINARY...]} (root; default runc).
 */
public final class ContainerdRunBenchmark {
    private static final int WARMUP = 3;

    private ContainerdRunBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        List<Path> binaries = new ArrayList<>();
        for (String a : Arrays.asList(args).subList(Math.min(1, args.length), args.length)) {
            Path p = Path.of(a).toAbsolutePath();
            if (!Files.isExecutable(p)) {
                System.err.println("ContainerdRunBenchmark: " + a + " is not an executable runtime binary");
                System.exit(2);
            }
            binaries.add(p);
        }
        if (binaries.isEmpty()) {
            binaries.add(Path.of("/usr/sbin/runc"));
        }
        Path tmp = Files.createTempDirectory("berth-bench-");
        try (LocalContainerd containerd = LocalContainerd.start(tmp)) {
            String image = BusyboxImage.importInto(containerd, tmp);
            System.out.printf("containerd 1.6 + containerd-shim-runc-v2, snapshotter %s, %d runs after %d warm-up%n",
                    containerd.snapshotter(), runs, WARMUP);
            System.out.printf("%-40s %8s %8s %8s %8s%n", "ctr run --rm IMAGE ID true", "min ms", "p50 ms", "p90 ms", "max ms");
            for (Path binary : binaries) {
                double[] ms = new double[runs];
                for (int i = -WARMUP; i < runs; i++) {
                    String id = "bench-" + (i + WARMUP);
                    long t0 = System.nanoTime();
                    containerd.ctrOk("run", "--rm", "--snapshotter", containerd.snapshotter(),
                            "--fifo-dir", containerd.fifoDir().toString(), "--runc-binary", binary.toString(), image, id, "true");
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        ms[i] = (t1 - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf("%-40s %8.1f %8.1f %8.1f %8.1f%n", binary, ms[0], percentile(ms, 50),
                        percentile(ms, 90), ms[ms.length - 1]);
            }
        } finally {
            io.berth.testkit.BusyboxRootfs.deleteTree(tmp);
        }
    }

    private static double percentile(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
