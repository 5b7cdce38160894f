package io.berth.runtime.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.SpecJson;

/**
 * What reading config.json costs the CLI, whose every call is a fresh JVM: the first
 * {@code SpecJson.read} of the default spec in N fresh JVMs (the java running this, same class
 * path, plus any JVM options given after N, e.g. an AOT cache), then the warm cost per read in
 * this JVM. Prints min/p50/max. Not a test:
 * {@code java -cp <test classpath> io.berth.runtime.bench.SpecJsonBenchmark 15 [-XX:AOTCache=...]}.
 */
public final class SpecJsonBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path dir = Files.createTempDirectory("berth-specjson-bench-");
        Path config = dir.resolve("config.json");
        try {
            Files.writeString(config, SpecJson.write(DefaultSpec.create()));
            List<Double> first = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                cmd.addAll(List.of(args).subList(Math.min(1, args.length), args.length));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstRead.class.getName(), config.toString()));
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " failed");
                }
                first.add(Double.parseDouble(out));
            }
            int warmRuns = 2000;
            for (int i = 0; i < warmRuns; i++) {
                SpecJson.read(config);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < warmRuns; i++) {
                SpecJson.read(config);
            }
            double warm = (System.nanoTime() - t0) / 1e3 / warmRuns;
            Collections.sort(first);
            System.out.printf(Locale.ROOT, "java %s, %d fresh JVMs: first SpecJson.read of the default spec min %.1f / p50 %.1f / max %.1f ms%n",
                    System.getProperty("java.version"), n, first.get(0), first.get(n / 2), first.get(n - 1));
            System.out.printf(Locale.ROOT, "warm SpecJson.read (file read included): %.1f us per call%n", warm);
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(dir);
        }
    }

    /** Run in a fresh JVM: prints the milliseconds of its first SpecJson.read. */
    public static final class FirstRead {
        public static void main(String[] args) {
            long t0 = System.nanoTime();
            SpecJson.read(Path.of(args[0]));
            System.out.println((System.nanoTime() - t0) / 1e6);
        }
    }
}
