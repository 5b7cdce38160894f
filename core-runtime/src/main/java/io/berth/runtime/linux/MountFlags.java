package io.berth.runtime.linux;

import java.util.ArrayList;
import java.util.List;

/** mount(2) flags (linux/mount.h). */
public final class MountFlags {
    public static final long RDONLY = 1;
    public static final long NOSUID = 2;
    public static final long NODEV = 4;
    public static final long NOEXEC = 8;
    public static final long SYNCHRONOUS = 16;
    public static final long REMOUNT = 32;
    public static final long MANDLOCK = 64;
    public static final long DIRSYNC = 128;
    public static final long NOSYMFOLLOW = 256;
    public static final long NOATIME = 1024;
    public static final long NODIRATIME = 2048;
    public static final long BIND = 4096;
    public static final long MOVE = 8192;
    public static final long REC = 16384;
    public static final long UNBINDABLE = 1L << 17;
    public static final long PRIVATE = 1L << 18;
    public static final long SLAVE = 1L << 19;
    public static final long SHARED = 1L << 20;
    public static final long RELATIME = 1L << 21;
    public static final long STRICTATIME = 1L << 24;
    public static final long LAZYTIME = 1L << 25;

    public static final long PROPAGATION = UNBINDABLE | PRIVATE | SLAVE | SHARED;

    private static final long[] BITS = {RDONLY, NOSUID, NODEV, NOEXEC, SYNCHRONOUS, REMOUNT, MANDLOCK, DIRSYNC,
        NOSYMFOLLOW, NOATIME, NODIRATIME, BIND, MOVE, REC, UNBINDABLE, PRIVATE, SLAVE, SHARED, RELATIME,
        STRICTATIME, LAZYTIME};
    private static final String[] NAMES = {"ro", "nosuid", "nodev", "noexec", "sync", "remount", "mand", "dirsync",
        "nosymfollow", "noatime", "nodiratime", "bind", "move", "rec", "unbindable", "private", "slave", "shared",
        "relatime", "strictatime", "lazytime"};

    private MountFlags() {
    }

    /** "rslave", "private"... for a propagation change. */
    static String propagationName(long flags) {
        String r = (flags & REC) != 0 ? "r" : "";
        if ((flags & SLAVE) != 0) {
            return r + "slave";
        }
        if ((flags & PRIVATE) != 0) {
            return r + "private";
        }
        if ((flags & SHARED) != 0) {
            return r + "shared";
        }
        if ((flags & UNBINDABLE) != 0) {
            return r + "unbindable";
        }
        return describe(flags);
    }

    /** "ro,nosuid" style. */
    public static String describe(long flags) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                names.add(NAMES[i]);
            }
        }
        return String.join(",", names);
    }
}
