package io.berth.image.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Progress;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;
import io.berth.testkit.BusyboxRootfs;

/**
 * Pull throughput: RegistryClient (resolve + every blob, a few at a time) against
 * {@code skopeo copy docker://... oci:DIR}, for the same image from a local docker-registry.
 * Prints per-run times, medians and the ratio. Not a unit test. Run from the repository root (arguments: runs layers mibPerLayer parallel):
 *
 * <pre>
 * mvn -B -q -o -pl image-store -am test-compile exec:java -Dexec.skip=true -Dexec.mainClass=io.berth.image.registry.PullBenchmark -Dexec.args="5 6 8 4"
 * </pre>
 */
public final class PullBenchmark {
    private PullBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int mib = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int parallel = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path work = Files.createTempDirectory("berth-pull-bench-");
        try (LocalRegistry registry = LocalRegistry.start()) {
            TestImages.Layout layout = TestImages.random(Files.createDirectories(work.resolve("layout")), "bench", layers, mib << 20, 42);
            TestImages.push(layout, registry.hostPort(), "bench:v1");
            ImageReference ref = registry.ref("bench:v1");
            System.out.printf("image: %d layers x %d MiB (uncompressed, incompressible), %d runs, %d parallel blob fetches%n",
                    layers, mib, runs, parallel);

            long[] berth = new long[runs];
            long[] skopeo = new long[runs];
            // One warm-up of each, so neither pays for cold page cache or class loading in the figures.
            pullWithBerth(ref, work.resolve("warm-berth"), parallel);
            pullWithSkopeo(registry, work.resolve("warm-skopeo"));
            for (int i = 0; i < runs; i++) {
                // Alternate, so drift on a shared machine hits both sides alike.
                berth[i] = pullWithBerth(ref, work.resolve("berth-" + i), parallel);
                skopeo[i] = pullWithSkopeo(registry, work.resolve("skopeo-" + i));
                System.out.printf("run %d: berth %6.1f ms   skopeo %6.1f ms%n", i + 1, berth[i] / 1e6, skopeo[i] / 1e6);
            }
            double mb = (double) layers * mib;
            double b = median(berth) / 1e6;
            double s = median(skopeo) / 1e6;
            System.out.printf("median: berth %.1f ms (%.0f MiB/s)   skopeo %.1f ms (%.0f MiB/s)   ratio berth/skopeo %.2f%n",
                    b, mb / (b / 1000), s, mb / (s / 1000), b / s);
        } finally {
            BusyboxRootfs.deleteTree(work);
        }
    }

    private static long pullWithBerth(ImageReference ref, Path dir, int parallel) throws Exception {
        Files.createDirectories(dir);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            long start = System.nanoTime();
            RegistryClient client = new RegistryClient(RegistryConfig.defaults());
            ResolvedImage image = client.resolve(ref, Platform.DEFAULT);
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor d : image.layers()) {
                futures.add(pool.submit(() -> client.fetchBlob(ref, d, dir.resolve(d.digest().hex()), Progress.NONE)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return System.nanoTime() - start;
        } finally {
            pool.shutdownNow();
            BusyboxRootfs.deleteTree(dir);
        }
    }

    private static long pullWithSkopeo(LocalRegistry registry, Path dir) throws Exception {
        long start = System.nanoTime();
        TestImages.run(List.of("skopeo", "--insecure-policy", "copy", "--quiet", "--src-tls-verify=false",
                "docker://" + registry.hostPort() + "/bench:v1", "oci:" + dir + ":v1"));
        long elapsed = System.nanoTime() - start;
        BusyboxRootfs.deleteTree(dir);
        return elapsed;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
