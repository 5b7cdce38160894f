package io.berth.runtime.linux;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities by their kernel number (linux/capability.h), named as OCI spells them without "CAP_". */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO,
    SYS_CHROOT, SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME,
    SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG,
    WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ, PERFMON, BPF, CHECKPOINT_RESTORE;

    /** The kernel's number, which is the declaration order above. */
    public int number() {
        return ordinal();
    }

    /** Docker's default set for a container process. */
    public static Set<Capability> dockerDefaults() {
        return EnumSet.of(CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP,
                SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE);
    }

    /** Accepts "CAP_CHOWN", "chown" or "CHOWN". */
    public static Capability parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) {
            n = n.substring(4);
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown capability \"" + name
                    + "\": use a Linux capability name such as CAP_NET_BIND_SERVICE");
        }
    }

    public static long mask(Collection<Capability> caps) {
        long mask = 0;
        for (Capability c : caps) {
            mask |= 1L << c.number();
        }
        return mask;
    }

    public static Set<Capability> fromMask(long mask) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability c : values()) {
            if ((mask & (1L << c.number())) != 0) {
                set.add(c);
            }
        }
        return set;
    }
}
