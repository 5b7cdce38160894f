package io.berth.runtime.container;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.berth.runtime.linux.ChildOp;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ChildSetupException;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.Launcher;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.Spec;

/**
 * Runs OCI hooks (runtime-spec config.md#posix-platform-hooks) in the runtime's own namespaces:
 * execve(path, args, env) with exactly the hook's env, in the bundle directory (as runc, which
 * chdirs there), the container's state document on stdin, its timeout enforced with SIGKILL.
 * The one place that knows how a hook is run; the lifecycle verbs only say which hooks, when,
 * and whether a failure is fatal.
 */
final class HookRunner {
    /** How much of a failing hook's output an error message quotes. */
    private static final int OUTPUT_LIMIT = 2000;

    private HookRunner() {
    }

    /** Runs {@code hooks} in order; the first that fails stops the rest and throws, naming it. */
    static void runOrFail(String kind, List<Spec.Hook> hooks, OciState state, Path cwd) {
        runAll(kind, hooks, state, cwd, failure -> {
            throw new ContainerException(failure);
        });
    }

    /**
     * Runs every one of {@code hooks} in order; a failure is reported to {@code warnings} and the
     * rest still run (the spec's rule for poststart and poststop).
     */
    static void runOrWarn(String kind, List<Spec.Hook> hooks, OciState state, Path cwd, Consumer<String> warnings) {
        runAll(kind, hooks, state, cwd, warnings);
    }

    private static void runAll(String kind, List<Spec.Hook> hooks, OciState state, Path cwd, Consumer<String> onFailure) {
        String stdin = hooks.isEmpty() ? null : ContainerJson.compact(state);
        for (int i = 0; i < hooks.size(); i++) {
            String failure = run(hooks.get(i), stdin, cwd);
            if (failure != null) {
                onFailure.accept("container " + state.id() + ": " + describe(kind, i, hooks.get(i)) + " failed: " + failure);
            }
        }
    }

    private static String describe(String kind, int index, Spec.Hook hook) {
        return kind + " hook " + index + " (" + hook.path() + ")";
    }

    /** Runs one hook; null when it succeeded, else why it did not (one line). */
    private static String run(Spec.Hook hook, String stdin, Path cwd) {
        // args[0] is argv[0] and may differ from path (a busybox applet, a login-style "-sh"): the
        // child resolves the path, then execve(path, args, env), as the spec defines it. The JDK's
        // ProcessBuilder cannot set them apart, hence Berth's own launcher, without namespaces.
        List<String> argv = hook.args().isEmpty() ? List.of(hook.path()) : hook.args();
        List<ChildOp> setup = new ArrayList<>();
        if (cwd != null && Files.isDirectory(cwd)) {
            setup.add(new ChildOp.Chdir(cwd.toString()));
        }
        setup.add(new ChildOp.CheckExecutable(hook.path(), ""));
        Path input = null;
        Path output = null;
        int in = -1;
        int out = -1;
        try {
            // Files, not pipes: a hook that leaves a daemon holding its stdout must not hang us
            // reading to EOF, and neither side can block on a full pipe while the other waits.
            input = Files.createTempFile("berth-hook", ".state");
            Files.writeString(input, stdin);
            output = Files.createTempFile("berth-hook", ".out");
            in = LibC.open(input.toString(), LibC.O_RDONLY);
            out = LibC.open(output.toString(), LibC.O_WRONLY);
            LaunchPlan plan = LaunchPlan.of(argv, hook.env(), new Stdio(in, out, out)).withSetup(setup);
            try (ChildProcess child = Launcher.launch(plan)) {
                try {
                    child.proceed();
                } catch (ChildSetupException e) {
                    return "cannot run it: " + e.getMessage();
                }
                ExitStatus exit;
                if (hook.timeout() == null) {
                    exit = child.waitFor();
                } else {
                    exit = child.waitFor(Duration.ofSeconds(hook.timeout())).orElse(null);
                    if (exit == null) {
                        child.kill(Signals.SIGKILL);
                        child.waitFor();
                        return "timed out after " + hook.timeout() + "s and was killed" + quoted(output);
                    }
                }
                if (exit.signaled()) {
                    return "killed by " + exit.signalName() + quoted(output);
                }
                return exit.code() == 0 ? null : "exit status " + exit.code() + quoted(output);
            }
        } catch (IOException e) {
            return "cannot run it: " + e.getMessage();
        } finally {
            LibC.close(in);
            LibC.close(out);
            deleteQuietly(input);
            deleteQuietly(output);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temp file left in /tmp is not worth failing the lifecycle for.
            }
        }
    }

    /** The hook's output, trimmed, on one line, as ": <output>"; "" when it printed nothing. */
    private static String quoted(Path output) throws IOException {
        byte[] head;
        boolean more;
        try (InputStream in = Files.newInputStream(output)) {
            // Only the head: a hook may have written gigabytes before it failed.
            head = in.readNBytes(OUTPUT_LIMIT);
            more = in.read() >= 0;
        }
        String text = new String(head, StandardCharsets.UTF_8).strip() + (more ? "..." : "");
        if (text.isEmpty()) {
            return "";
        }
        return ": " + text.replaceAll("\\s*\\R\\s*", " | ");
    }
}
