package io.berth.runtime.linux;

import java.util.Locale;

/** Resource limits by their kernel number (asm-generic/resource.h, same on x86_64 and aarch64). */
public enum Rlimit {
    CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, NOFILE, MEMLOCK, AS, LOCKS, SIGPENDING, MSGQUEUE, NICE,
    RTPRIO, RTTIME;

    /** RLIM_INFINITY. */
    public static final long INFINITY = -1L;

    public int number() {
        return ordinal();
    }

    /** Accepts OCI's "RLIMIT_NOFILE" or "nofile". */
    public static Rlimit parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("RLIMIT_")) {
            n = n.substring(7);
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown rlimit \"" + name + "\": use a name such as RLIMIT_NOFILE");
        }
    }
}
