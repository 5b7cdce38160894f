package io.berth.shell.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged console as a user does, {@code bin/berth ARGS} (or bin/berth-console while
 * there is no bin/berth), as its own process with its own state root, and collects what it
 * printed and its exit status.
 */
final class ConsoleProcess {
    /** The checkout: the tests run in shell/, the launchers are in ../bin. */
    static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        /** The console's error shape: a non-zero status and one line on stderr, "error: ...", naming each fragment. */
        Result assertOneLineError(String... fragments) {
            org.assertj.core.api.Assertions.assertThat(exit).as(toString()).isNotZero();
            org.assertj.core.api.Assertions.assertThat(err.lines().filter(l -> !l.isBlank()).toList()).as(toString()).hasSize(1);
            org.assertj.core.api.Assertions.assertThat(err).as(toString()).startsWith("error: ");
            for (String f : fragments) {
                org.assertj.core.api.Assertions.assertThat(err).as(toString()).contains(f);
            }
            return this;
        }
    }

    private ConsoleProcess() {
    }

    static Path launcher() {
        Path berth = CHECKOUT.resolve("bin/berth");
        return Files.isExecutable(berth) ? berth : CHECKOUT.resolve("bin/berth-console");
    }

    static Result run(Path home, String stdin, String... args) {
        return runWith(home, Map.of(), stdin, args);
    }

    static Result runWith(Path home, Map<String, String> env, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("BERTH_HOME", home.toString());
        pb.environment().put("NO_COLOR", "1");
        // A daemon the console starts inherits this: no bridge on the machine's real network from a test.
        pb.environment().put("BERTH_NETWORK_MODE", "none");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("berth " + String.join(" ", args) + " did not finish within 120 s");
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("could not run " + command + ": " + e, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream s = stream) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<unreadable: " + e + ">";
            }
        });
    }
}
