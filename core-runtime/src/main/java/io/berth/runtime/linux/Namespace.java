package io.berth.runtime.linux;

/** Linux namespaces Berth creates or joins: the clone(2) flag and the name under /proc/PID/ns. */
public enum Namespace {
    PID(0x20000000L, "pid"),
    MOUNT(0x00020000L, "mnt"),
    UTS(0x04000000L, "uts"),
    IPC(0x08000000L, "ipc"),
    NETWORK(0x40000000L, "net"),
    CGROUP(0x02000000L, "cgroup"),
    USER(0x10000000L, "user");

    private final long cloneFlag;
    private final String procName;

    Namespace(long cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    public long cloneFlag() {
        return cloneFlag;
    }

    /** The entry in /proc/PID/ns, e.g. "mnt" for MOUNT. */
    public String procName() {
        return procName;
    }

    public static long flags(Iterable<Namespace> namespaces) {
        long flags = 0;
        for (Namespace ns : namespaces) {
            flags |= ns.cloneFlag;
        }
        return flags;
    }
}
