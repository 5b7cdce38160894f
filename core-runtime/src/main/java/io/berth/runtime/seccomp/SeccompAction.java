package io.berth.runtime.seccomp;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The OCI action names (libseccomp's SCMP_ACT_*) and the kernel's SECCOMP_RET_* value each
 * compiles to. SCMP_ACT_KILL is KILL_THREAD, as in libseccomp.
 */
public enum SeccompAction {
    KILL("SCMP_ACT_KILL", 0x00000000),
    KILL_THREAD("SCMP_ACT_KILL_THREAD", 0x00000000),
    KILL_PROCESS("SCMP_ACT_KILL_PROCESS", 0x80000000),
    TRAP("SCMP_ACT_TRAP", 0x00030000),
    ERRNO("SCMP_ACT_ERRNO", 0x00050000),
    TRACE("SCMP_ACT_TRACE", 0x7ff00000),
    LOG("SCMP_ACT_LOG", 0x7ffc0000),
    ALLOW("SCMP_ACT_ALLOW", 0x7fff0000),
    /** Parsed so it can be refused by name: Berth has no seccomp agent (listenerPath). */
    NOTIFY("SCMP_ACT_NOTIFY", 0x7fc00000);

    /** runc's errno when an ERRNO or TRACE action gives no errnoRet. */
    public static final int DEFAULT_ERRNO = 1; // EPERM
    /** SECCOMP_RET_DATA holds 16 bits, and the kernel turns only 0..MAX_ERRNO into an errno. */
    public static final int MAX_ERRNO = 4095;

    private final String ociName;
    private final int ret;

    SeccompAction(String ociName, int ret) {
        this.ociName = ociName;
        this.ret = ret;
    }

    public String ociName() {
        return ociName;
    }

    /** Whether the action carries errnoRet (ERRNO: the errno; TRACE: the value the tracer sees). */
    public boolean takesErrno() {
        return this == ERRNO || this == TRACE;
    }

    /** The SECCOMP_RET_* word; {@code errnoRet} null means EPERM, as runc does. */
    public int ret(Integer errnoRet) {
        if (!takesErrno()) {
            return ret;
        }
        return ret | ((errnoRet == null ? DEFAULT_ERRNO : errnoRet) & 0xffff);
    }

    /** null if {@code name} is not an OCI action name. */
    public static SeccompAction parse(String name) {
        for (SeccompAction a : values()) {
            if (a.ociName.equals(name)) {
                return a;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(SeccompAction::ociName).collect(Collectors.joining(", "));
    }
}
