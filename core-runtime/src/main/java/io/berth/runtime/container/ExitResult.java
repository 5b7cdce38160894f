package io.berth.runtime.container;

/**
 * How a container ended, as Docker and Kubernetes report it: the exit code (128+N for signal N),
 * the signal's name when one killed it, and reason {@code OOMKilled} when the kernel's OOM killer
 * did it (the cgroup's OOM counter moved), {@code Error} for a non-zero exit, else {@code Completed}.
 *
 * <p>{@code unknown} says, in one sentence, what could not be learned and why; null when the
 * result is complete. Two cases exist: a container adopted by a process that is not its parent
 * (only the parent can read an exit status: the code is then {@link #UNKNOWN_CODE} and the reason
 * {@code Unknown}), and an OOM counter that could not be read ({@code oomKilled} is then false
 * because nothing showed it, not because it was checked).
 */
public record ExitResult(int exitCode, String signal, boolean oomKilled, String unknown) {
    public static final String OOM_KILLED = "OOMKilled";
    /** The exit code of a process whose status went to another parent. */
    public static final int UNKNOWN_CODE = -1;

    public ExitResult(int exitCode, String signal, boolean oomKilled) {
        this(exitCode, signal, oomKilled, null);
    }

    /** An exit seen but not collected: the process was not this JVM's child. */
    static ExitResult unknownCode(boolean oomKilled, String why) {
        return new ExitResult(UNKNOWN_CODE, null, oomKilled, why);
    }

    /** Whether {@link #exitCode()} is the process's real exit code. */
    public boolean codeKnown() {
        return exitCode != UNKNOWN_CODE;
    }

    public String reason() {
        if (oomKilled) {
            return OOM_KILLED;
        }
        if (!codeKnown()) {
            return "Unknown";
        }
        return exitCode == 0 ? "Completed" : "Error";
    }

    public String describe() {
        String how;
        if (!codeKnown()) {
            how = "exited with an unknown code";
        } else {
            how = signal == null ? "exited with code " + exitCode : "was killed by " + signal + " (exit code " + exitCode + ")";
        }
        if (oomKilled) {
            how += ": " + OOM_KILLED;
        }
        return unknown == null ? how : how + " (" + unknown + ")";
    }
}
