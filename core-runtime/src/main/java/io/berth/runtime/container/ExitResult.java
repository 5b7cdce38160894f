package io.berth.runtime.container;

/**
 * How a container ended, as Docker and Kubernetes report it: the exit code (128+N for signal N),
 * the signal's name when one killed it, and reason {@code OOMKilled} when the kernel's OOM killer
 * did it (the cgroup's OOM counter moved), {@code Error} for a non-zero exit, else {@code Completed}.
 */
public record ExitResult(int exitCode, String signal, boolean oomKilled) {
    public static final String OOM_KILLED = "OOMKilled";

    public String reason() {
        if (oomKilled) {
            return OOM_KILLED;
        }
        return exitCode == 0 ? "Completed" : "Error";
    }

    public String describe() {
        String how = signal == null ? "exited with code " + exitCode : "was killed by " + signal + " (exit code " + exitCode + ")";
        return oomKilled ? how + ": " + OOM_KILLED : how;
    }
}
