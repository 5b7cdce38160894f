package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * What berth-runtime's command line costs before any command runs: building the picocli model and
 * parsing {@code --root X run --bundle B id}, timed with nanoTime inside a fresh JVM (that first
 * call is the whole cost a CLI pays; a warm loop would hide it). Each sample is its own JVM,
 * started with the same java and class path as this one; {@code -Dbench.java=/path/to/bin/java}
 * times another JDK. Prints median, min and max in ms for the chosen command alone (what
 * berth-runtime registers) and for all 13 (help, unknown commands). Not a test: run it as
 * <pre>java -cp core-runtime/target/test-classes:core-runtime/target/classes:'core-runtime/target/lib/*' io.berth.runtime.cli.CliModelBenchmark [runs]</pre>
 */
public final class CliModelBenchmark {
    private static final String[] ARGS = {"--root", "X", "run", "--bundle", "B", "id"};

    private CliModelBenchmark() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals("--once")) {
            BerthRuntime.skipUnusedConverters(); // as berth-runtime's main does
            long t0 = System.nanoTime();
            CommandSpec top = BerthRuntime.spec();
            CommandLine cli = new CommandLine(top);
            if (args[1].equals("one")) {
                cli.addSubcommand(BerthRuntime.chosenCommand(top, ARGS).spec());
            } else {
                for (String name : BerthRuntime.COMMANDS) {
                    cli.addSubcommand(BerthRuntime.command(name).spec());
                }
            }
            ParseResult parsed = cli.parseArgs(ARGS);
            long t1 = System.nanoTime();
            if (!"id".equals(new Invocation(top, parsed.subcommand().commandSpec()).id())) {
                throw new AssertionError("parsed the wrong id");
            }
            System.out.println((t1 - t0) / 1e6);
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String java = System.getProperty("bench.java", ProcessHandle.current().info().command().orElse("java"));
        System.out.printf(Locale.ROOT, "%s, %d fresh JVMs each: build the model + parse '%s'%n", java, runs, String.join(" ", ARGS));
        for (String variant : List.of("one", "all")) {
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                ms.add(once(java, variant));
            }
            Collections.sort(ms);
            System.out.printf(Locale.ROOT, "  %-28s median %6.1f ms  min %6.1f  max %6.1f%n",
                    variant.equals("one") ? "chosen command registered" : "all 13 commands registered", ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1));
        }
    }

    private static double once(String java, String variant) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
        String extra = System.getProperty("bench.jvmArgs", "");
        if (!extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CliModelBenchmark.class.getName(), "--once", variant));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("benchmark JVM failed: " + out);
        }
        return Double.parseDouble(out);
    }
}
