package io.berth.runtime.oci;

/** The rlimit names the OCI spec allows, in kernel order (their ordinal is the resource number). */
public enum RlimitType {
    RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC,
    RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE,
    RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME;

    public int resource() {
        return ordinal();
    }

    public static RlimitType parse(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidSpecException("unknown rlimit type '" + name + "': use names like RLIMIT_NOFILE (see getrlimit(2))");
        }
    }
}
