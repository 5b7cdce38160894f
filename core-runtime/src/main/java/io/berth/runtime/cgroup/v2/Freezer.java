package io.berth.runtime.cgroup.v2;

import java.nio.file.Path;

import io.berth.runtime.cgroup.CgroupException;
import io.berth.runtime.cgroup.CgroupFiles;

/** v2 freezer, built into the core: cgroup.freeze to ask, the "frozen" key of cgroup.events to know. */
final class Freezer {
    private static final long TIMEOUT_NANOS = 5_000_000_000L;

    private Freezer() {
    }

    static void freeze(CgroupFiles files, Path dir) {
        files.write(dir.resolve("cgroup.freeze"), "1");
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!frozen(files, dir)) {
            if (System.nanoTime() > deadline) {
                files.write(dir.resolve("cgroup.freeze"), "0");
                throw new CgroupException("cannot freeze " + dir + ": cgroup.events did not report frozen within 5 s; thawed it again");
            }
            CgroupFiles.sleep(1);
        }
    }

    /** Asks for a thaw and waits for cgroup.events to say so, as freeze waits for the freeze. */
    static void thaw(CgroupFiles files, Path dir) {
        files.write(dir.resolve("cgroup.freeze"), "0");
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (frozen(files, dir)) {
            if (System.nanoTime() > deadline) {
                throw new CgroupException("cannot thaw " + dir + ": cgroup.events still reports frozen after 5 s");
            }
            CgroupFiles.sleep(1);
        }
    }

    static boolean frozen(CgroupFiles files, Path dir) {
        Path events = dir.resolve("cgroup.events");
        return files.exists(events) && files.readKey(events, "frozen").orElse(0) == 1;
    }
}
