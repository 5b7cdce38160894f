package io.berth.runtime.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jnr.ffi.LibraryLoader;

/**
 * kill(2) for processes that are not the JVM's children (ProcessHandle can only send SIGTERM and
 * SIGKILL). Internal to the cgroup packages.
 */
public final class Signals {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    /** The libc binding, loaded on first use. */
    public interface LibC {
        int kill(int pid, int signal);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private Signals() {
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
            if (froze || (wasFrozen && signal == SIGKILL)) {
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
            if (Holder.LIBC.kill(pid, signal) != 0 && Files.exists(Path.of("/proc/" + pid))) {
                throw new CgroupException("cannot send signal " + signal + " to process " + pid);
            }
        }
    }
}
