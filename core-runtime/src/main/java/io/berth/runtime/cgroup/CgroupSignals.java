package io.berth.runtime.cgroup;

import java.util.List;

import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Signals;

/** Signalling every process of a cgroup, for both versions. Internal to the cgroup packages. */
public final class CgroupSignals {
    private CgroupSignals() {
    }

    /**
     * Signals every process of a cgroup that has a freezer. Frozen, nobody can fork a process the
     * pid list has not seen. A paused cgroup stays paused (v1 tasks get the signal when thawed),
     * except for SIGKILL: the caller wants them gone, and a frozen v1 task cannot die.
     */
    public static void signalFrozen(Cgroup cgroup, int signal) {
        boolean wasFrozen = cgroup.frozen();
        boolean froze = false;
        if (!wasFrozen) {
            try {
                cgroup.freeze();
                froze = true;
            } catch (CgroupException e) {
                // A task stuck in the kernel keeps the cgroup from freezing (freeze() thawed it
                // again); signalling without the freeze still reaches every task but a racing fork.
            }
        }
        try {
            signalAll(cgroup.pids(), signal);
        } finally {
            if (froze || (wasFrozen && signal == Signals.SIGKILL)) {
                cgroup.thaw();
            }
        }
    }

    /** Signals each pid; a process that exited meanwhile is not an error. */
    public static void signalAll(List<Integer> pids, int signal) {
        if (signal <= 0 || signal > 64) {
            throw new IllegalArgumentException("signal must be between 1 and 64, got " + signal);
        }
        for (int pid : pids) {
            try {
                LibC.kill(pid, signal); // false: exited meanwhile
            } catch (LibC.SyscallException e) {
                throw new CgroupException("cannot send signal " + signal + " to process " + pid + ": " + e.getMessage());
            }
        }
    }
}
