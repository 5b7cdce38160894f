package io.berth.runtime.containerd;

import java.util.List;

/** What one {@code ctr} (or other helper command) run printed and how it ended. */
public record CtrResult(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** For assertion messages: the command and everything it said. */
    public String describe() {
        return String.join(" ", command) + " -> exit " + exitCode
                + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
