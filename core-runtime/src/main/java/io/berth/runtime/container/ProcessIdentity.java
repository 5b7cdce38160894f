package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process named by pid and start time (field 22 of /proc/PID/stat, in clock ticks since boot):
 * a pid alone may be reused by an unrelated process after the container died.
 */
public record ProcessIdentity(int pid, long startTime) {

    /** The identity of the live process {@code pid}, or null if there is none. */
    public static ProcessIdentity of(int pid) {
        String[] stat = stat(pid);
        return stat == null ? null : new ProcessIdentity(pid, Long.parseLong(stat[19]));
    }

    /** True while the same process still exists and has not exited (a zombie has exited). */
    public boolean isAlive() {
        if (pid <= 0) {
            return false;
        }
        String[] stat = stat(pid);
        return stat != null && Long.parseLong(stat[19]) == startTime && !stat[0].equals("Z") && !stat[0].equals("X");
    }

    /** True while a process with this pid and start time exists, a zombie included: the pid is still its. */
    public boolean exists() {
        String[] stat = pid <= 0 ? null : stat(pid);
        return stat != null && Long.parseLong(stat[19]) == startTime;
    }

    /**
     * This very process, exited and not reaped yet, and its parent is this JVM: only its parent can
     * reap it (a container created by another berth-runtime process belongs to whoever inherited
     * it, a shim or init).
     */
    public boolean isZombieChildOfThisProcess() {
        String[] stat = pid <= 0 ? null : stat(pid);
        return stat != null && Long.parseLong(stat[19]) == startTime && stat[0].equals("Z")
                && Long.parseLong(stat[1]) == ProcessHandle.current().pid();
    }

    /** The fields after the command name; index 0 is the state letter (field 3). */
    private static String[] stat(int pid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // The command name is in parentheses and may itself contain spaces and ')'.
            return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
