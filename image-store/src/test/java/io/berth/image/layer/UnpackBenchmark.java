package io.berth.image.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Times {@link LayerUnpacker} against GNU {@code tar -xf} and {@code umoci unpack} on one large
 * layer built from real files (/usr/share then /usr/lib, up to ~300 MB), and prints median
 * throughput and ratios. Not a unit test: run it by hand, as root, on an otherwise quiet machine:
 *
 * <pre>
 * mvn -q -o -pl image-store -am test-compile
 * java -cp "$(cat image-store/target/bench.cp):image-store/target/classes:image-store/target/test-classes" \
 *     io.berth.image.layer.UnpackBenchmark [workDir=/var/tmp/berth-bench] [megabytes=300] [runs=3]
 * </pre>
 * (bench.cp from {@code mvn -o -pl image-store dependency:build-classpath -Dmdep.outputFile=target/bench.cp}).
 * Every tool writes into a fresh directory on the same filesystem; the page cache is warm for all
 * (the input was just written), and each tool gets one untimed warm-up run.
 */
public final class UnpackBenchmark {
    private UnpackBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/var/tmp/berth-bench");
        long targetBytes = (args.length > 1 ? Long.parseLong(args[1]) : 300) << 20;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Trees.delete(work);
        Files.createDirectories(work);
        try {
            Path tar = work.resolve("layer.tar");
            Path gz = work.resolve("layer.tar.gz");
            long files = buildLayer(work, tar, targetBytes);
            long tarBytes = Files.size(tar);
            run(work, "sh", "-c", "gzip -1 -c " + tar + " > " + gz);
            Path layout = work.resolve("oci");
            run(work, "umoci", "init", "--layout", layout.toString());
            run(work, "umoci", "new", "--image", layout + ":bench");
            run(work, "umoci", "raw", "add-layer", "--image", layout + ":bench", tar.toString());
            System.out.printf("layer: %d entries, %.1f MB uncompressed, %.1f MB gzip -1; %d runs each, median%n",
                    files, tarBytes / 1e6, Files.size(gz) / 1e6, runs);

            LayerUnpacker unpacker = new LayerUnpacker(UnpackLimits.DEFAULT);
            double javaTar = median(work, runs, dest -> {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 16)) {
                    unpacker.unpack(in, dest);
                }
            });
            double gnuTar = median(work, runs, dest -> {
                Files.createDirectory(dest);
                run(work, "tar", "-xf", tar.toString(), "-C", dest.toString());
            });
            double javaGz = median(work, runs, dest -> {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(gz), 1 << 16)) {
                    unpacker.unpack(in, dest);
                }
            });
            double gnuGz = median(work, runs, dest -> {
                Files.createDirectory(dest);
                run(work, "tar", "-xzf", gz.toString(), "-C", dest.toString());
            });
            double umoci = median(work, runs, dest -> run(work, "umoci", "unpack", "--image", layout + ":bench", dest.toString()));

            System.out.printf("%-34s %8s %10s %8s%n", "tool", "seconds", "MB/s", "vs tar");
            print("LayerUnpacker, plain tar", javaTar, tarBytes, gnuTar);
            print("GNU tar -xf, plain tar", gnuTar, tarBytes, gnuTar);
            print("LayerUnpacker, gzip", javaGz, tarBytes, gnuGz);
            print("GNU tar -xzf, gzip", gnuGz, tarBytes, gnuGz);
            print("umoci unpack (gzip layer, bundle)", umoci, tarBytes, gnuGz);
            System.out.println("(MB/s = uncompressed layer bytes / second; gzip rows compare with GNU tar -xzf)");
        } finally {
            Trees.delete(work);
        }
    }

    @FunctionalInterface
    private interface Unpack {
        void into(Path dest) throws Exception;
    }

    private static double median(Path work, int runs, Unpack unpack) throws Exception {
        double[] secs = new double[runs];
        for (int i = -1; i < runs; i++) {
            Path dest = work.resolve("out");
            Trees.delete(dest);
            run(work, "sync");
            long t0 = System.nanoTime();
            unpack.into(dest);
            long t1 = System.nanoTime();
            if (i >= 0) {
                secs[i] = (t1 - t0) / 1e9;
            }
            Trees.delete(dest);
        }
        Arrays.sort(secs);
        return secs[runs / 2];
    }

    private static void print(String tool, double secs, long bytes, double reference) {
        System.out.printf("%-34s %8.2f %10.1f %8.2f%n", tool, secs, bytes / 1e6 / secs, reference / secs);
    }

    /** Lists /usr/share then /usr/lib in order until {@code target} bytes, and has GNU tar write them. */
    private static long buildLayer(Path work, Path tar, long target) throws Exception {
        List<String> names = new ArrayList<>();
        long bytes = 0;
        outer:
        for (String top : List.of("/usr/share", "/usr/lib")) {
            try (Stream<Path> walk = Files.walk(Path.of(top))) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.naturalOrder())::iterator) {
                    if (bytes >= target) {
                        break outer;
                    }
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        bytes += Files.size(p);
                    }
                    names.add(p.toString().substring(1));
                }
            }
        }
        Path list = work.resolve("files.txt");
        Files.write(list, names, StandardCharsets.UTF_8);
        run(work, "tar", "-cf", tar.toString(), "-C", "/", "--no-recursion", "-T", list.toString());
        return names.size();
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
