/*
 * The plan Java lays out in native memory (io.berth.runtime.linux.PlanLayout mirrors this).
 * Every field is 8 bytes so Java can address it as slot * 8; bump BERTH_ABI when it changes.
 */
#ifndef BERTH_ABI_H
#define BERTH_ABI_H

#include <stdint.h>

#define BERTH_ABI 4

/* Op codes: one per io.berth.runtime.linux.ChildOp record. */
enum berth_op_code {
    OP_MOUNT = 1,        /* s0 source, s1 target, s2 fstype, s3 data, n0 flags */
    OP_BIND = 2,         /* s0 source, s1 target, n0 MS_REC or 0, n1 remount flags (0: none) */
    OP_REMOUNT = 3,      /* s1 target, n0 flags (MS_REMOUNT|MS_BIND added, nosuid/nodev/noexec kept) */
    OP_MKDIR = 4,        /* s0 path, n0 mode; parents too, existing is fine */
    OP_MKNOD = 5,        /* s0 path, n0 mode (with type), n1 dev, n2 uid, n3 gid (-1: keep); an existing
                            node is kept, or replaced with BERTH_OPF_REPLACE */
    OP_TOUCH = 6,        /* s0 path */
    OP_SYMLINK = 7,      /* s0 target, s1 link path */
    OP_CHDIR = 8,        /* s0 path */
    OP_PIVOT_ROOT = 9,   /* pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/") */
    OP_SETHOSTNAME = 10, /* s0 name */
    OP_UNSHARE = 11,     /* n0 flags */
    OP_LOOPBACK_UP = 12,
    OP_SETRLIMIT = 13,   /* n0 resource, n1 soft, n2 hard */
    OP_SETGROUPS = 14,   /* n0 count, s0 -> uint32 array */
    OP_SETGID = 15,      /* n0 gid */
    OP_SETUID = 16,      /* n0 uid */
    OP_KEEPCAPS = 17,    /* n0 0/1 */
    OP_DROP_BOUNDING = 18, /* n0 capabilities to keep */
    OP_SETCAPS = 19,     /* n0 effective, n1 permitted, n2 inheritable */
    OP_RAISE_AMBIENT = 20, /* n0 mask */
    OP_NO_NEW_PRIVS = 21,
    OP_CHECK_EXECUTABLE = 22, /* s0 argv0, s1 PATH; writes the resolution to plan->exec_buf */
    OP_UMASK = 23,       /* n0 mask */
    OP_MASK_PATH = 24,   /* s0 path: /dev/null over a file, empty read-only tmpfs over a dir */
    OP_SETNS = 25,       /* s0 path, n0 nstype */
    OP_ENTER_PID_NS = 26, /* fork once more (CLONE_PARENT) so the rest runs inside the joined PID ns */
    OP_TERMINAL = 27,    /* n0 rows, n1 cols (either 0: leave the size), n2 owner uid (-1: keep), n3 bind
                            the slave on /dev/console; sends the pty master over FD_CONSOLE (6), then the
                            slave becomes the controlling tty and fds 0-2 */
    OP_SECCOMP = 28,     /* n0 instruction count, n1 seccomp(2) flags, n2 1: install right before execve
                            (after the start gate) instead of here, s0 -> struct sock_filter[n0] */
    OP_WRITE_FILE = 29,  /* s0 path (must exist), s1 bytes, n0 their count (a sysctl under /proc/sys) */
};

#define BERTH_OPF_IGNORE_ENOENT 1u
#define BERTH_OPF_REPLACE 2u /* OP_MKNOD: unlink what is at the path first */

struct berth_op {
    uint64_t code;
    uint64_t flags;
    uint64_t n[4];
    const char *s[4];
};

/* Steps that are not setup ops, as reported over the error pipe (op indexes are >= 0). */
#define STEP_READY (-1) /* not an error: setup done (then the gate, then execve) */
#define STEP_STDIO (-2)
#define STEP_GATE (-5)
#define STEP_EXEC (-6)
#define STEP_SIGNALS (-7)
#define STEP_CHILD_PID (-8) /* not an error: err carries the grandchild's pid, which replaces the child */
#define STEP_DUMPABLE (-9)  /* prctl(PR_SET_DUMPABLE, 0) failed */

struct berth_report {
    int32_t step;
    int32_t err;
};

struct berth_plan {
    uint64_t abi;              /* 0 */
    uint64_t clone_flags;      /* 1 namespaces (+ CLONE_VM); berth_spawn adds SIGCHLD|CLONE_PIDFD */
    uint64_t stack_top;        /* 2 16-byte aligned top of the child's stack */
    int64_t fd_in;             /* 3 -1: /dev/null */
    int64_t fd_out;            /* 4 */
    int64_t fd_err;            /* 5 */
    int64_t gate_fd;           /* 6 -1: no start gate */
    uint64_t n_ops;            /* 7 */
    struct berth_op *ops;      /* 8 */
    char *const *argv;         /* 9 NULL-terminated */
    char *const *envp;         /* 10 NULL-terminated */
    const char *path_env;      /* 11 PATH used to find argv[0] when it has no slash */
    char *exec_buf;            /* 12 BERTH_PATH_MAX bytes: resolved executable */
    int64_t pid;               /* 13 out */
    int64_t pidfd;             /* 14 out */
    int64_t report_r;          /* 15 out: parent's end of the error pipe */
    int64_t go_w;              /* 16 out: parent's end of the go pipe */
    int64_t report_w;          /* 17 child's ends (closed by the parent after clone) */
    int64_t go_r;              /* 18 */
    int64_t console_fd;        /* 19 -1: no terminal; else a connected AF_UNIX socket for OP_TERMINAL */
};

#define BERTH_PATH_MAX 4096

int berth_child_main(void *arg);

#endif
