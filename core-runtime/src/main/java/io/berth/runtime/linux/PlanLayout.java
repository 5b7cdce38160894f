package io.berth.runtime.linux;

/** Slot numbers of struct berth_plan (src/main/c/berth_abi.h); NativeLibrary checks the sizes at load. */
final class PlanLayout {
    static final int ABI = 0;
    static final int CLONE_FLAGS = 1;
    static final int STACK_TOP = 2;
    static final int FD_IN = 3;
    static final int FD_OUT = 4;
    static final int FD_ERR = 5;
    static final int GATE_FD = 6;
    static final int N_OPS = 7;
    static final int OPS = 8;
    static final int ARGV = 9;
    static final int ENVP = 10;
    static final int PATH_ENV = 11;
    static final int EXEC_BUF = 12;
    static final int PID = 13;
    static final int PIDFD = 14;
    static final int REPORT_R = 15;
    static final int GO_W = 16;
    static final int REPORT_W = 17;
    static final int GO_R = 18;
    static final int CONSOLE_FD = 19;

    static final long PLAN_SIZE = 20 * 8;
    static final long OP_SIZE = 10 * 8;
    static final int PATH_MAX = 4096;
    /** The child's stack (rule 2): it only runs the small interpreter. */
    static final int STACK_SIZE = 64 * 1024;

    static final long OPF_IGNORE_ENOENT = 1;
    static final long OPF_REPLACE = 2;
    static final long CLONE_VM = 0x00000100L;

    /** Steps reported by the child that are not setup ops (op indexes are >= 0). */
    static final int STEP_READY = -1;
    static final int STEP_STDIO = -2;
    static final int STEP_GATE = -5;
    static final int STEP_EXEC = -6;
    static final int STEP_SIGNALS = -7;
    /** Not an error: the errno field carries the grandchild's pid after a PID-namespace join. */
    static final int STEP_CHILD_PID = -8;
    static final int STEP_DUMPABLE = -9;

    private PlanLayout() {
    }
}
