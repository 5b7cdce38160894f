package io.berth.runtime.linux;

/**
 * How a process ended, the way a shell reports it: {@code code} is the exit code, or 128+N when
 * signal N killed it (137 for SIGKILL, 143 for SIGTERM); {@code signal} is 0 for a normal exit.
 */
public record ExitStatus(int code, int signal, boolean coreDumped) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean coreDumped) {
        return new ExitStatus(128 + signal, signal, coreDumped);
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** "SIGTERM" or null for a normal exit. */
    public String signalName() {
        return signal == 0 ? null : Signals.name(signal);
    }

    @Override
    public String toString() {
        if (signal == 0) {
            return "exited with code " + code;
        }
        return "killed by " + signalName() + (coreDumped ? " (core dumped)" : "") + ", code " + code;
    }
}
