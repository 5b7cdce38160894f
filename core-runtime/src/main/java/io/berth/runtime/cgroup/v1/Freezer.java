package io.berth.runtime.cgroup.v1;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;

/** v1 freezer controller: freezer.state THAWED / FREEZING / FROZEN. */
final class Freezer {
    static final String CONTROLLER = "freezer";
    private static final String STATE = "freezer.state";
    private static final long TIMEOUT_NANOS = 5_000_000_000L;

    private Freezer() {
    }

    /**
     * Writes FROZEN and waits for the kernel to get there: a task in an uninterruptible sleep or
     * just forking keeps the cgroup in FREEZING, and rewriting FROZEN makes the kernel try again.
     */
    static void freeze(CgroupFiles files, Path dir) {
        Path state = dir.resolve(STATE);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        for (int i = 0; ; i++) {
            if (i % 10 == 0) {
                files.write(state, "FROZEN");
            }
            if (files.read(state).equals("FROZEN")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                files.write(state, "THAWED");
                throw new CgroupException("cannot freeze " + dir + ": still FREEZING after 5 s (a process stuck in the kernel?); thawed it again");
            }
            CgroupFiles.sleep(1);
        }
    }

    static void thaw(CgroupFiles files, Path dir) {
        files.write(dir.resolve(STATE), "THAWED");
    }

    static boolean frozen(CgroupFiles files, Path dir) {
        return files.read(dir.resolve(STATE)).equals("FROZEN");
    }
}
