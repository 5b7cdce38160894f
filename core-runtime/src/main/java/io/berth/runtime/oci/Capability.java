package io.berth.runtime.oci;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Linux capability names as the OCI spec writes them, with their kernel numbers (linux/capability.h). */
public enum Capability {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID,
    CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
    CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE, CAP_SYS_RAWIO,
    CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_PACCT, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_NICE,
    CAP_SYS_RESOURCE, CAP_SYS_TIME, CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE, CAP_AUDIT_WRITE,
    CAP_AUDIT_CONTROL, CAP_SETFCAP, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG, CAP_WAKE_ALARM,
    CAP_BLOCK_SUSPEND, CAP_AUDIT_READ, CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE;

    /** Docker's default set, which the spec Berth generates carries (bounding, effective, permitted). */
    public static final List<Capability> DOCKER_DEFAULT = List.of(
            CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
            CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
            CAP_AUDIT_WRITE);

    /** The kernel's number for this capability (its bit in the CapEff mask). */
    public int number() {
        return ordinal();
    }

    /** Accepts {@code CAP_CHOWN} and, like Docker, {@code chown}; an unknown name is an error naming it. */
    public static Capability parse(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        try {
            return valueOf(upper.startsWith("CAP_") ? upper : "CAP_" + upper);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("unknown capability '" + name + "': use names like CAP_CHOWN (see capabilities(7))");
        }
    }

    /** The bit mask of a set of names, as capset(2) and /proc/PID/status show it. */
    public static long mask(Collection<String> names) {
        long mask = 0;
        if (names != null) {
            for (String n : names) {
                mask |= 1L << parse(n).number();
            }
        }
        return mask;
    }
}
