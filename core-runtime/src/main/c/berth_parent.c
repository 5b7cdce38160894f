/*
 * The parent's half, called from Java through jnr-ffi: clone the child with signals blocked,
 * and the few syscalls Java needs afterwards (pidfd wait/kill, pipe I/O). These run in an
 * ordinary JVM thread, so libc is fine here; each returns >= 0 or -errno so Java never has to
 * read errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "berth_abi.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int berth_abi_version(void) { return BERTH_ABI; }

long berth_plan_size(void) { return (long)sizeof(struct berth_plan); }

long berth_op_size(void) { return (long)sizeof(struct berth_op); }

static void close_quietly(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

/*
 * Clones the child into plan->ops. Returns the pid (also in plan->pid) or -errno; on success
 * plan->pidfd, report_r and go_w belong to the caller.
 */
long berth_spawn(struct berth_plan *plan)
{
    int report[2] = {-1, -1};
    int go[2] = {-1, -1};
    if (pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
        int err = errno;
        close_quietly(report[0]);
        close_quietly(report[1]);
        return -err;
    }
    plan->report_r = report[0];
    plan->report_w = report[1];
    plan->go_r = go[0];
    plan->go_w = go[1];
    plan->pidfd = -1;

    /* Rule 3: nothing may run a JVM handler in the child before it resets them. Synchronous
       fault signals stay open: the JVM needs them and blocking them turns a fault into a kill. */
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pidfd = -1;
    int pid = clone(berth_child_main, (void *)plan->stack_top,
                    (int)(plan->clone_flags | CLONE_PIDFD | SIGCHLD), plan, &pidfd);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    /* Only our copies: the numbers stay in the plan, which a CLONE_VM child may not have read yet. */
    close(report[1]);
    close(go[0]);
    if (pid < 0) {
        close(report[0]);
        close(go[1]);
        plan->report_r = -1;
        plan->go_w = -1;
        return -err;
    }
    plan->pid = pid;
    plan->pidfd = pidfd;
    return pid;
}

/*
 * prctl(PR_SET_DUMPABLE, value) on the calling process. Launcher makes the JVM non-dumpable before
 * its first clone: a CLONE_VM child shares this mm, and a container that can see the child must
 * not reach the JVM's memory or binary through /proc (docs/security.md).
 */
long berth_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, value, 0, 0, 0) < 0 ? -errno : 0; }

/* prctl(PR_GET_DUMPABLE): 0 no, 1 yes, 2 root only. */
long berth_get_dumpable(void)
{
    int r = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    return r < 0 ? -errno : r;
}

/* read() retried on EINTR. */
long berth_read(int fd, void *buf, long n)
{
    for (;;) {
        ssize_t r = read(fd, buf, (size_t)n);
        if (r >= 0) {
            return r;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

long berth_write(int fd, const void *buf, long n)
{
    for (;;) {
        ssize_t r = write(fd, buf, (size_t)n);
        if (r >= 0) {
            return r;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

long berth_close(int fd) { return close(fd) < 0 ? -errno : 0; }

/* O_CLOEXEC pipe: fds[0] read end, fds[1] write end. */
long berth_pipe(int *fds) { return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0; }

/* Waits until the process behind pidfd has exited (timeout_ms < 0: forever). 1 exited, 0 timeout. */
long berth_pidfd_poll(int pidfd, int timeout_ms)
{
    struct pollfd p = {pidfd, POLLIN, 0};
    for (;;) {
        int r = poll(&p, 1, timeout_ms);
        if (r >= 0) {
            return r;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

/*
 * Reaps through the pidfd (never by pid, which could be reused). out[0] = si_code
 * (CLD_EXITED/KILLED/DUMPED), out[1] = si_status. Returns 1 reaped, 0 still running (nohang).
 */
long berth_pidfd_reap(int pidfd, int nohang, int *out)
{
    siginfo_t info;
    for (;;) {
        memset(&info, 0, sizeof info);
        int r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | __WALL | (nohang ? WNOHANG : 0));
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (info.si_pid == 0) {
            return 0;
        }
        out[0] = info.si_code;
        out[1] = info.si_status;
        return 1;
    }
}

/* A pidfd for a child we did not clone ourselves (the grandchild of a PID-namespace join). */
long berth_pidfd_open(int pid)
{
    long r = syscall(SYS_pidfd_open, pid, 0);
    return r < 0 ? -errno : r;
}

long berth_pidfd_kill(int pidfd, int sig)
{
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* Fills a sockaddr_un for path; -ENAMETOOLONG when it does not fit sun_path (108 bytes with the NUL). */
static long unix_address(const char *path, struct sockaddr_un *a)
{
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof a->sun_path) {
        return -ENAMETOOLONG;
    }
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, n + 1);
    return 0;
}

/* The address of path and a CLOEXEC AF_UNIX stream socket for it: the fd, or -errno. */
static long unix_socket(const char *path, struct sockaddr_un *a)
{
    long r = unix_address(path, a);
    if (r < 0) {
        return r;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

/* A CLOEXEC stream socket connected to the AF_UNIX socket at path (the caller's --console-socket). */
long berth_unix_connect(const char *path)
{
    struct sockaddr_un a;
    long r = unix_socket(path, &a);
    if (r < 0) {
        return r;
    }
    int fd = (int)r;
    while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (errno != EINTR) {
            int err = errno;
            close(fd);
            return -err;
        }
    }
    return fd;
}

/* A CLOEXEC listening AF_UNIX stream socket bound at path (which must not exist yet). */
long berth_unix_listen(const char *path)
{
    struct sockaddr_un a;
    long r = unix_socket(path, &a);
    if (r < 0) {
        return r;
    }
    int fd = (int)r;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    if (listen(fd, 4) < 0) {
        int err = errno;
        close(fd);
        unlink(path);
        return -err;
    }
    return fd;
}

/* accept4 with CLOEXEC, waiting at most timeout_ms (< 0: forever); -ETIMEDOUT when nobody came. */
long berth_unix_accept(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    for (;;) {
        int r = poll(&p, 1, timeout_ms);
        if (r == 0) {
            return -ETIMEDOUT;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0) {
            return c;
        }
        if (errno != EINTR && errno != EAGAIN) {
            return -errno;
        }
    }
}

/* A connected CLOEXEC AF_UNIX stream pair: the library's own "console socket". */
long berth_socketpair(int *fds) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 ? -errno : 0; }

/*
 * Receives one message carrying one fd (SCM_RIGHTS, made CLOEXEC on arrival) and its payload, the
 * pty's name, NUL-terminated into name (cap bytes). Returns the payload's length with *fd_out set;
 * -ENOMSG when the peer closed without sending, -EBADMSG when the message carried no fd. Any extra
 * fds a confused peer sent are closed, never leaked. Waits at most timeout_ms (< 0: forever), then
 * -ETIMEDOUT.
 */
long berth_recv_fd(int sock, char *name, long cap, int *fd_out, int timeout_ms)
{
    *fd_out = -1;
    if (timeout_ms >= 0) {
        struct pollfd p = {sock, POLLIN, 0};
        int r;
        do {
            r = poll(&p, 1, timeout_ms);
        } while (r < 0 && errno == EINTR);
        if (r < 0) {
            return -errno;
        }
        if (r == 0) {
            return -ETIMEDOUT;
        }
    }
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {name, (size_t)(cap > 0 ? cap - 1 : 0)};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -errno;
    }
    int got = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *fds = (int *)CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
            if (got < 0) {
                got = fds[i];
            } else {
                close(fds[i]);
            }
        }
    }
    if (got < 0) {
        return n == 0 ? -ENOMSG : -EBADMSG;
    }
    if (cap > 0) {
        name[n] = 0;
    }
    *fd_out = got;
    return n;
}

/* TIOCSWINSZ on a pty (either end): the window-size change a relaying client forwards. */
long berth_set_winsize(int fd, int rows, int cols)
{
    struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
    return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

/* strerror for messages; the parent is an ordinary thread, and glibc's table is read-only. */
const char *berth_strerror(int err) { return strerrordesc_np(err); }

/* Zeroed native memory for plans and stacks; Java frees it explicitly once the child no longer needs it. */
long berth_alloc(long size)
{
    void *p = calloc(1, (size_t)size);
    return (long)p;
}

void berth_free(long address) { free((void *)address); }
