package io.berth.runtime.container;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.berth.runtime.oci.Spec;

/**
 * Runs OCI hooks (runtime-spec config.md#posix-platform-hooks) in the runtime's own namespaces:
 * the hook's path with its args and exactly its env, the container's state document on stdin, its
 * timeout enforced with SIGKILL. The one place that knows how a hook is run; the lifecycle verbs
 * only say which hooks, when, and whether a failure is fatal.
 *
 * <p>argv[0] is the path, not {@code args[0]}: the JDK's process launcher (posix_spawn through
 * jspawnhelper, safe in a multithreaded JVM) cannot set them apart, and running Java after a fork
 * is not an option (DESIGN.md). For the usual hooks (a program, a shell, a busybox applet reached
 * through its own link name) this is the same.
 */
final class HookRunner {
    /** How much of a failing hook's output an error message quotes. */
    private static final int OUTPUT_LIMIT = 2000;

    private HookRunner() {
    }

    /** Runs {@code hooks} in order; the first that fails stops the rest and throws, naming it. */
    static void runOrFail(String kind, List<Spec.Hook> hooks, OciState state, Path cwd) {
        String stdin = hooks.isEmpty() ? null : ContainerJson.compact(state);
        for (int i = 0; i < hooks.size(); i++) {
            String failure = run(hooks.get(i), stdin, cwd);
            if (failure != null) {
                throw new ContainerException("container " + state.id() + ": " + describe(kind, i, hooks.get(i)) + " failed: " + failure);
            }
        }
    }

    /**
     * Runs every one of {@code hooks} in order; a failure is reported to {@code warnings} and the
     * rest still run (the spec's rule for poststart and poststop).
     */
    static void runOrWarn(String kind, List<Spec.Hook> hooks, OciState state, Path cwd, Consumer<String> warnings) {
        String stdin = hooks.isEmpty() ? null : ContainerJson.compact(state);
        for (int i = 0; i < hooks.size(); i++) {
            String failure = run(hooks.get(i), stdin, cwd);
            if (failure != null) {
                warnings.accept("container " + state.id() + ": " + describe(kind, i, hooks.get(i)) + " failed: " + failure);
            }
        }
    }

    private static String describe(String kind, int index, Spec.Hook hook) {
        return kind + " hook " + index + " (" + hook.path() + ")";
    }

    /** Runs one hook; null when it succeeded, else why it did not (one line). */
    private static String run(Spec.Hook hook, String stdin, Path cwd) {
        List<String> command = new ArrayList<>();
        command.add(hook.path());
        if (hook.args().size() > 1) {
            command.addAll(hook.args().subList(1, hook.args().size()));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.clear();
        for (String e : hook.env()) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        if (cwd != null && Files.isDirectory(cwd)) {
            pb.directory(cwd.toFile());
        }
        Path output = null;
        Process process = null;
        try {
            // A file, not a pipe: a hook that leaves a daemon holding its stdout must not hang us
            // reading to EOF, and a chatty one must not block on a full pipe while we wait.
            output = Files.createTempFile("berth-hook", ".out");
            pb.redirectErrorStream(true).redirectOutput(output.toFile());
            process = pb.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The hook need not read its stdin; it may have exited already (EPIPE).
            }
            boolean exited;
            if (hook.timeout() == null) {
                process.waitFor();
                exited = true;
            } else {
                exited = process.waitFor(hook.timeout(), TimeUnit.SECONDS);
            }
            if (!exited) {
                process.destroyForcibly().waitFor();
                return "timed out after " + hook.timeout() + "s and was killed" + quoted(output);
            }
            int status = process.exitValue();
            return status == 0 ? null : "exit status " + status + quoted(output);
        } catch (IOException e) {
            return "cannot run it: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
            return "interrupted while waiting for it";
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // A temp file left in /tmp is not worth failing the lifecycle for.
                }
            }
        }
    }

    /** The hook's output, trimmed, on one line, as ": <output>"; "" when it printed nothing. */
    private static String quoted(Path output) throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        if (text.length() > OUTPUT_LIMIT) {
            text = text.substring(0, OUTPUT_LIMIT) + "...";
        }
        return ": " + text.replaceAll("\\s*\\R\\s*", " | ");
    }
}
