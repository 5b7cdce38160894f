/*
 * The container's first process between clone() and execve(): an interpreter of the op program
 * Java laid out (berth_abi.h). Java decided everything; this file only carries it out, under the
 * rules of DESIGN.md "How a container starts": raw syscalls only (berth_sys.h), no malloc, no
 * stdio, no errno, no locks, only this stack. Any failure is written to the error pipe as
 * {step, errno} and the child exits. When setup is done it sends READY, then waits at the start
 * gate if there is one; EOF after READY (the pipe is CLOEXEC) means execve succeeded.
 *
 * Handshake, as steps: undumpable -> reset signals -> arrange fds (stdio 0-2, pipes 3-5, console socket 6, close the rest) ->
 * wait for "go" -> run ops -> READY -> [start gate] -> [seccomp filter, with no_new_privs] -> execve.
 */
#define _GNU_SOURCE
/* gcc would turn our loops into strlen/memset calls: libc, which rule 1 forbids here. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <netinet/in.h>

#include "berth_abi.h"
#include "berth_sys.h"

/* Fixed fds once the child has rearranged its table (everything above is closed). */
#define FD_REPORT 3
#define FD_GO 4
#define FD_GATE 5
#define FD_CONSOLE 6
#define FD_FIRST_FREE 7
#define N_FIXED_FDS 7

/* The kernel's sigaction layout for rt_sigaction (not glibc's). */
struct k_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static int has_slash(const char *s)
{
    for (; *s; s++) {
        if (*s == '/') {
            return 1;
        }
    }
    return 0;
}

static __attribute__((noreturn)) void die(int step, long err)
{
    struct berth_report r = {step, (int32_t)-err};
    SYS3(SYS_write, FD_REPORT, &r, sizeof r);
    for (;;) {
        SYS1(SYS_exit_group, 1);
        /* Only a seccomp filter that denies exit_group and exit gets here: die of SIGILL (its
           handler is the default and no filter can block a fault) rather than spin. */
        SYS1(SYS_exit, 1);
        __builtin_trap();
    }
}

static long write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        long w = SYS3(SYS_write, fd, p, n);
        if (w == -EINTR) {
            continue;
        }
        if (w < 0) {
            return w;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 1 byte read, retried on EINTR: 1 = got it, 0 = EOF, <0 = -errno. */
static long read_byte(int fd)
{
    char c;
    for (;;) {
        long r = SYS3(SYS_read, fd, &c, 1);
        if (r != -EINTR) {
            return r;
        }
    }
}

/*
 * Java threads run with handlers installed and some signals blocked; both would survive execve
 * (handlers as SIG_DFL only if they were functions, the mask as is). Reset every disposition,
 * then clear the mask so a kill() before start behaves as the user expects.
 */
static void reset_signals(void)
{
    struct k_sigaction dfl = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) {
            continue;
        }
        SYS4(SYS_rt_sigaction, sig, &dfl, NULL, 8);
    }
    unsigned long none = 0;
    long r = SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    if (r < 0) {
        die(STEP_SIGNALS, r);
    }
}

/*
 * Moves stdio onto 0-2, our pipes onto 3-5 and the console socket onto 6, then closes everything else (rule 4: a leaked
 * pipe end keeps another launch's EOF from arriving). Sources are first lifted above every
 * target so no dup2 overwrites a source that is still needed.
 */
static void arrange_fds(struct berth_plan *p)
{
    long src[N_FIXED_FDS] = {p->fd_in, p->fd_out, p->fd_err, p->report_w, p->go_r, p->gate_fd, p->console_fd};
    long high = FD_FIRST_FREE;
    for (int i = 0; i < N_FIXED_FDS; i++) {
        if (src[i] >= high) {
            high = src[i] + 1;
        }
    }
    for (int i = 0; i < N_FIXED_FDS; i++) {
        long fd = src[i];
        if (fd < 0 && i < 3) {
            fd = SYS4(SYS_openat, AT_FDCWD, "/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC, 0);
            if (fd < 0) {
                /* The report pipe is not in place yet; write to wherever it is now. */
                struct berth_report r = {STEP_STDIO, (int32_t)-fd};
                SYS3(SYS_write, p->report_w, &r, sizeof r);
                SYS1(SYS_exit_group, 1);
            }
        }
        if (fd >= 0) {
            fd = SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, high);
            if (fd < 0) {
                struct berth_report r = {STEP_STDIO, (int32_t)-fd};
                SYS3(SYS_write, p->report_w, &r, sizeof r);
                SYS1(SYS_exit_group, 1);
            }
        }
        src[i] = fd;
    }
    for (int i = 0; i < N_FIXED_FDS; i++) {
        if (src[i] < 0) {
            continue;
        }
        /* stdio must survive execve; the pipes must not (EOF on exec is the success signal). */
        long r = SYS3(SYS_dup3, src[i], i, i < 3 ? 0 : O_CLOEXEC);
        if (r < 0) {
            /* src[3], the lifted report pipe, stays valid until close_range below. */
            struct berth_report rep = {STEP_STDIO, (int32_t)-r};
            SYS3(SYS_write, src[3], &rep, sizeof rep);
            SYS1(SYS_exit_group, 1);
        }
    }
    /* A slot with nothing to put there (no gate, no console) is closed too: the JVM's own fd of that
       number, CLOEXEC or not, must not reach the container (runc's CVE-2024-21626 was a leaked fd). */
    for (int i = 3; i < N_FIXED_FDS; i++) {
        if (src[i] < 0) {
            SYS1(SYS_close, i);
        }
    }
    long r = SYS3(SYS_close_range, FD_FIRST_FREE, ~0U, 0);
    if (r == -ENOSYS) {
        for (int fd = FD_FIRST_FREE; fd < 65536; fd++) {
            SYS1(SYS_close, fd);
        }
    } else if (r < 0) {
        die(STEP_STDIO, r);
    }
}

/* mkdir -p relative to the cwd; an existing directory (or anything existing) is fine. */
static long make_dirs(const char *path, long mode)
{
    char buf[BERTH_PATH_MAX];
    size_t n = slen(path);
    if (n >= sizeof buf) {
        return -ENAMETOOLONG;
    }
    for (size_t i = 0; i <= n; i++) {
        buf[i] = path[i];
    }
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char saved = buf[i];
            buf[i] = 0;
            long r = SYS3(SYS_mkdirat, AT_FDCWD, buf, mode);
            buf[i] = saved;
            if (r < 0 && r != -EEXIST) {
                return r;
            }
        }
    }
    return 0;
}

/* Keeps the flags a remount may not drop (nosuid/nodev/noexec are locked inside a user ns). */
static long remount(const char *target, unsigned long flags)
{
    struct statfs st;
    long r = SYS2(SYS_statfs, target, &st);
    if (r < 0) {
        return r;
    }
    flags |= (unsigned long)st.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
    return SYS5(SYS_mount, NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}

/*
 * Relative paths in the plan are the root filesystem's, before pivot_root, relative to the cwd (the
 * rootfs). Java resolved the image's symlinks when it made the plan, so none is left on the way; one
 * met now means the tree changed underneath (another container writing a shared volume or rootfs),
 * and following it could lead out of the rootfs: runc's CVE-2021-30465 (a mount landing elsewhere)
 * and CVE-2024-45310 (empty files and directories made on the host). So every relative path is
 * opened beneath the cwd, with no symlink, no magic link and no ".." leaving it, and the op works on
 * that fd; a symlink fails the launch with ELOOP. Absolute paths are used after pivot_root (inside the
 * container) or name the host's own files (bind sources, the rootfs), as before.
 */
#define RESOLVE_STRICT (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static long open_beneath_mode(long dirfd, const char *path, uint64_t flags, uint64_t mode)
{
    struct open_how how;
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = RESOLVE_STRICT;
    long r = -EAGAIN;
    /* EAGAIN: a rename or mount raced the walk; a few retries, never an endless loop an attacker feeds. */
    for (int i = 0; i < 16 && (r == -EAGAIN || r == -EINTR); i++) {
        r = SYS4(SYS_openat2, dirfd, path, &how, sizeof how);
    }
    return r;
}

static long open_beneath(long dirfd, const char *path, uint64_t flags)
{
    return open_beneath_mode(dirfd, path, flags, 0);
}

static void close_fd(long fd)
{
    if (fd >= 0) {
        SYS1(SYS_close, fd);
    }
}

/* The directory holding a relative path's last component, opened beneath the cwd (AT_FDCWD when
   the path has no slash), and that component in *name. */
static long open_parent(const char *path, const char **name)
{
    size_t n = slen(path);
    size_t slash = n;
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '/') {
            slash = i;
        }
    }
    if (slash == n) {
        *name = path;
        return AT_FDCWD;
    }
    if (slash >= BERTH_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    char buf[BERTH_PATH_MAX];
    for (size_t i = 0; i < slash; i++) {
        buf[i] = path[i];
    }
    buf[slash] = 0;
    *name = path + slash + 1;
    return open_beneath(AT_FDCWD, buf, O_PATH | O_DIRECTORY);
}

static int failed_open(long dirfd)
{
    return dirfd < 0 && dirfd != AT_FDCWD;
}

/* prefix + n in decimal into buf (no snprintf here: rule 1); returns the length. */
static size_t prefix_number(char *buf, const char *prefix, unsigned long n)
{
    size_t k = 0;
    while (prefix[k]) {
        buf[k] = prefix[k];
        k++;
    }
    char digits[24];
    int d = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (d > 0) {
        buf[k++] = digits[--d];
    }
    buf[k] = 0;
    return k;
}

/* "/proc/self/fd/N": mount(2) takes paths only; the magic link names exactly the file we opened. */
static void fd_path(char *buf, long fd)
{
    prefix_number(buf, "/proc/self/fd/", (unsigned long)fd);
}

/* mkdir -p beneath the cwd, one component at a time, each opened before the next is made in it. Most
   targets exist already (the image's /proc, a tmpfs's first level): one open says so. */
static long make_dirs_beneath(const char *path, long mode)
{
    long existing = open_beneath(AT_FDCWD, path, O_PATH | O_DIRECTORY);
    if (existing >= 0) {
        close_fd(existing);
        return 0;
    }
    char buf[BERTH_PATH_MAX];
    size_t n = slen(path);
    if (n >= sizeof buf) {
        return -ENAMETOOLONG;
    }
    for (size_t i = 0; i <= n; i++) {
        buf[i] = path[i];
    }
    long dir = AT_FDCWD;
    long r = 0;
    size_t start = 0;
    while (start < n) {
        size_t end = start;
        while (end < n && buf[end] != '/') {
            end++;
        }
        buf[end] = 0;
        const char *comp = buf + start;
        if (comp[0] != 0 && !(comp[0] == '.' && comp[1] == 0)) {
            r = SYS3(SYS_mkdirat, dir, comp, mode);
            if (r < 0 && r != -EEXIST) {
                break;
            }
            r = 0;
            if (end < n) {
                long next = open_beneath(dir, comp, O_PATH | O_DIRECTORY);
                if (next < 0) {
                    r = next;
                    break;
                }
                close_fd(dir);
                dir = next;
            }
        }
        start = end + 1;
    }
    close_fd(dir);
    return r;
}

/* A new filesystem, or a propagation change, on a relative target opened beneath the cwd. */
static long mount_beneath(const char *source, const char *target, const char *fstype, uint64_t flags, const char *data)
{
    long t = open_beneath(AT_FDCWD, target, O_PATH);
    if (t < 0) {
        return t;
    }
    char at[40];
    fd_path(at, t);
    long r = SYS5(SYS_mount, source, at, fstype, flags, data);
    close_fd(t);
    return r;
}

/*
 * A bind onto a relative target: the source cloned as a detached tree (open_tree), moved onto the
 * target's fd (move_mount), and remounted through the tree's own fd, so neither the place it lands
 * nor the mount made read-only can be swapped by path.
 */
static long bind_beneath(const char *source, const char *target, uint64_t recursive, uint64_t remount_flags)
{
    long t = open_beneath(AT_FDCWD, target, O_PATH);
    if (t < 0) {
        return t;
    }
    long tree = SYS3(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    long r = tree;
    if (tree >= 0) {
        r = SYS5(SYS_move_mount, tree, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        if (r == 0 && remount_flags != 0) {
            char at[40];
            fd_path(at, tree);
            r = remount(at, remount_flags);
        }
        close_fd(tree);
    }
    close_fd(t);
    return r;
}

/*
 * An existing regular file is left as it is: a bind needs only that its target exists, and opening
 * the file for writing would copy it up on an overlay root (the image's /etc/hostname under each of a
 * pod's containers: 1.5-2 ms of the launch, docs/benchmarks.md). Anything else there (missing, a
 * symlink, a directory, a FIFO) goes through the create below, which fails or blocks as it always did.
 */
static long touch_at(const char *path)
{
    long existing = path[0] == '/' ? SYS4(SYS_openat, AT_FDCWD, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)
                                   : open_beneath(AT_FDCWD, path, O_PATH);
    if (existing >= 0) {
        struct stat st;
        long s = SYS4(SYS_newfstatat, existing, "", &st, AT_EMPTY_PATH);
        close_fd(existing);
        if (s == 0 && S_ISREG(st.st_mode)) {
            return 0;
        }
    }
    long r = path[0] == '/' ? SYS4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)
                            : open_beneath_mode(AT_FDCWD, path, O_WRONLY | O_CREAT, 0644);
    if (r >= 0) {
        close_fd(r);
        return 0;
    }
    return r;
}

static long symlink_at(const char *target, const char *path)
{
    const char *name;
    long dir = path[0] == '/' ? AT_FDCWD : open_parent(path, &name);
    if (path[0] == '/') {
        name = path;
    }
    if (failed_open(dir)) {
        return dir;
    }
    long r = SYS3(SYS_symlinkat, target, dir, name);
    close_fd(dir);
    return r == -EEXIST ? 0 : r;
}

/*
 * The null device the masks are made of, checked: a /dev/null swapped for something else (a symlink
 * to a procfs file, a regular file) would otherwise be bound over the masked paths, making them
 * writable instead of hidden (runc's CVE-2025-31133). Returns an O_PATH fd of a character device
 * that is not a symlink. Any character device will do, not only 1:3: a spec may replace /dev/null
 * (linux.devices), and a device node gives nothing the devices cgroup does not already allow.
 */
static long open_dev_null(void)
{
    long fd = SYS4(SYS_openat, AT_FDCWD, "/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) {
        return fd;
    }
    struct stat st;
    long r = SYS4(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH);
    if (r == 0 && !S_ISCHR(st.st_mode)) {
        r = -ENODEV;
    }
    if (r < 0) {
        close_fd(fd);
        return r;
    }
    return fd;
}

/* Masks a path inside the container: the checked /dev/null bound over a file (from its fd, not its
   name), an empty read-only tmpfs over a directory. */
static long mask_path(const char *path)
{
    struct stat st;
    long r = SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
    if (r < 0) {
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        return SYS5(SYS_mount, "tmpfs", path, "tmpfs", MS_RDONLY, NULL);
    }
    long null = open_dev_null();
    if (null < 0) {
        return null;
    }
    long tree = SYS3(SYS_open_tree, null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    close_fd(null);
    if (tree < 0) {
        return tree;
    }
    r = SYS5(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
    close_fd(tree);
    return r;
}

static long loopback_up(void)
{
    long s = SYS3(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return s;
    }
    struct ifreq ifr;
    char *b = (char *)&ifr;
    for (size_t i = 0; i < sizeof ifr; i++) {
        b[i] = 0;
    }
    ifr.ifr_name[0] = 'l';
    ifr.ifr_name[1] = 'o';
    long r = SYS3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        r = SYS3(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
    }
    SYS1(SYS_close, s);
    return r;
}

static long drop_bounding(uint64_t keep)
{
    for (long cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) {
            continue;
        }
        long r = SYS5(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
        if (r == -EINVAL) {
            break; /* past CAP_LAST_CAP of this kernel */
        }
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

static long set_caps(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)eff, (uint32_t)perm, (uint32_t)inh},
        {(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32)},
    };
    return SYS2(SYS_capset, &hdr, data);
}

static long raise_ambient(uint64_t mask)
{
    for (long cap = 0; cap < 64; cap++) {
        if (mask & (1ULL << cap)) {
            long r = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
            if (r < 0) {
                return r;
            }
        }
    }
    return 0;
}

/* dir + "/" + name into buf; 0 or -ENAMETOOLONG. An empty dir means the cwd, as for execvp. */
static long join_path(char *buf, const char *dir, size_t dlen, const char *name)
{
    size_t nlen = slen(name);
    if (dlen + 1 + nlen + 1 > BERTH_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    size_t k = 0;
    if (dlen == 0) {
        buf[k++] = '.';
    }
    for (size_t i = 0; i < dlen; i++) {
        buf[k++] = dir[i];
    }
    buf[k++] = '/';
    for (size_t i = 0; i <= nlen; i++) {
        buf[k++] = name[i];
    }
    return 0;
}

static long copy_to(char *buf, const char *s)
{
    size_t n = slen(s);
    if (n + 1 > BERTH_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    for (size_t i = 0; i <= n; i++) {
        buf[i] = s[i];
    }
    return 0;
}

static long is_executable_file(const char *path)
{
    struct stat st;
    long r = SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
    if (r < 0) {
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        return -EACCES;
    }
    return SYS3(SYS_faccessat, AT_FDCWD, path, X_OK);
}

/*
 * Finds argv0 the way execvp does (a slash: as is; else each PATH entry, EACCES remembered but
 * the search goes on) and leaves the winner in out. Done before the start gate so a missing
 * binary fails create, not start.
 */
static long lookup_executable(const char *argv0, const char *path_env, char *out)
{
    if (argv0[0] == 0) {
        return -ENOENT;
    }
    if (has_slash(argv0)) {
        long r = copy_to(out, argv0);
        return r < 0 ? r : is_executable_file(out);
    }
    long saved = -ENOENT;
    const char *p = path_env;
    for (;;) {
        const char *end = p;
        while (*end && *end != ':') {
            end++;
        }
        long r = join_path(out, p, (size_t)(end - p), argv0);
        if (r == 0) {
            r = is_executable_file(out);
            if (r == 0) {
                return 0;
            }
        }
        if (r == -EACCES) {
            saved = r;
        } else if (r != -ENOENT && r != -ENOTDIR && r != -ENAMETOOLONG) {
            return r;
        }
        if (*end == 0) {
            break;
        }
        p = end + 1;
    }
    out[0] = 0;
    return saved;
}

static long exec_program(struct berth_plan *p)
{
    const char *argv0 = p->argv[0];
    if (p->exec_buf[0] != 0) {
        return SYS3(SYS_execve, p->exec_buf, p->argv, p->envp);
    }
    if (has_slash(argv0)) {
        return SYS3(SYS_execve, argv0, p->argv, p->envp);
    }
    char buf[BERTH_PATH_MAX];
    long saved = -ENOENT;
    const char *s = p->path_env;
    for (;;) {
        const char *end = s;
        while (*end && *end != ':') {
            end++;
        }
        long r = join_path(buf, s, (size_t)(end - s), argv0);
        if (r == 0) {
            r = SYS3(SYS_execve, buf, p->argv, p->envp);
        }
        if (r == -EACCES) {
            saved = r;
        } else if (r != -ENOENT && r != -ENOTDIR && r != -ENAMETOOLONG) {
            return r;
        }
        if (*end == 0) {
            return saved;
        }
        s = end + 1;
    }
}

/*
 * setns(CLONE_NEWPID) only decides where our children go, so fork once more. CLONE_PARENT makes
 * the grandchild the launching process's own child (reapable through a pidfd, no subreaper); we
 * report its pid and exit, and it goes on with the next op once our end of the sync pipe closes,
 * so its own reports always come after the pid. Fork-style (no CLONE_VM, stack 0): the grandchild
 * continues on a copy of this stack.
 */
static long enter_pid_ns(void)
{
    int sync[2];
    long r = SYS2(SYS_pipe2, sync, O_CLOEXEC);
    if (r < 0) {
        return r;
    }
    long pid = SYS5(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        SYS1(SYS_close, sync[0]);
        SYS1(SYS_close, sync[1]);
        return pid;
    }
    if (pid == 0) {
        SYS1(SYS_close, sync[1]);
        read_byte(sync[0]);
        SYS1(SYS_close, sync[0]);
        return 0;
    }
    struct berth_report rep = {STEP_CHILD_PID, (int32_t)pid};
    write_all(FD_REPORT, &rep, sizeof rep);
    for (;;) {
        SYS1(SYS_exit_group, 0);
    }
}

/* "/dev/pts/" + n into buf (at least 24 bytes); returns the length. */
static size_t pts_name(char *buf, unsigned int n)
{
    return prefix_number(buf, "/dev/pts/", n);
}

/* The master to whoever listens on FD_CONSOLE, with the pty's name as payload (runc's contract). */
static long send_master(int master, const char *name, size_t name_len)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    for (size_t i = 0; i < sizeof ctl; i++) {
        ctl.buf[i] = 0;
    }
    struct iovec iov = {(void *)name, name_len};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *)CMSG_DATA(c) = master;
    for (;;) {
        /* MSG_NOSIGNAL: a reader that went away is an error to report, not a silent SIGPIPE death. */
        long r = SYS3(SYS_sendmsg, FD_CONSOLE, &msg, MSG_NOSIGNAL);
        if (r != -EINTR) {
            return r < 0 ? r : 0;
        }
    }
}

/*
 * The pty slave bound onto /dev/console, by fds at both ends (runc's CVE-2025-52565): the source is
 * the slave we opened, not its name, and the target an O_PATH fd of a regular file or device that is
 * not a symlink, so a /dev/pts entry or /dev/console swapped meanwhile cannot make this bind a
 * masked or read-only procfs file writable at /dev/console. A missing target is created as an empty
 * file, as runc's mountConsole does (0666 whatever the umask).
 */
static long bind_console(int slave)
{
    long c = SYS4(SYS_openat, AT_FDCWD, "/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    if (c == -ENOENT) {
        long f = SYS4(SYS_openat, AT_FDCWD, "/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (f < 0) {
            return f;
        }
        long r = SYS2(SYS_fchmod, f, 0666);
        close_fd(f);
        if (r < 0) {
            return r;
        }
        c = SYS4(SYS_openat, AT_FDCWD, "/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    }
    if (c < 0) {
        return c;
    }
    struct stat st;
    long r = SYS4(SYS_newfstatat, c, "", &st, AT_EMPTY_PATH);
    if (r == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
        r = -ELOOP; /* a symlink, directory or socket where the console goes */
    }
    long tree = -1;
    if (r == 0) {
        tree = SYS3(SYS_open_tree, slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        r = tree < 0 ? tree : 0;
    }
    if (r == 0) {
        r = SYS5(SYS_move_mount, tree, "", c, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    }
    close_fd(tree);
    close_fd(c);
    return r;
}

/*
 * process.terminal as runc does it, after pivot_root so /dev/ptmx is the container's own devpts:
 * a new pty, unlocked, sized, its slave owned by the process's user (the group stays what devpts
 * gave it: gid=5, tty, with the default mounts) and, for a container's first process, bound onto
 * /dev/console; the master goes to the caller and is closed here; then a new session whose
 * controlling terminal is the slave, which becomes stdin, stdout and stderr.
 */
static long setup_terminal(uint64_t rows, uint64_t cols, uint64_t uid, uint64_t dev_console)
{
    long master = SYS4(SYS_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (master < 0) {
        return master;
    }
    int unlock = 0;
    unsigned int n = 0;
    long r = SYS3(SYS_ioctl, master, TIOCSPTLCK, &unlock);
    if (r == 0) {
        r = SYS3(SYS_ioctl, master, TIOCGPTN, &n);
    }
    char name[32];
    size_t name_len = pts_name(name, n);
    long slave = -1;
    if (r == 0) {
        slave = SYS4(SYS_openat, AT_FDCWD, name, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
        r = slave < 0 ? slave : 0;
    }
    if (r == 0 && rows != 0 && cols != 0) {
        struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
        r = SYS3(SYS_ioctl, slave, TIOCSWINSZ, &ws);
    }
    if (r == 0 && uid != (uint64_t)-1) {
        r = SYS3(SYS_fchown, slave, uid, -1);
    }
    if (r == 0 && dev_console) {
        r = bind_console((int)slave);
    }
    if (r == 0) {
        r = send_master((int)master, name, name_len);
    }
    SYS1(SYS_close, master);
    SYS1(SYS_close, FD_CONSOLE);
    if (r == 0) {
        r = SYS0(SYS_setsid);
        r = r < 0 ? r : 0;
    }
    if (r == 0) {
        r = SYS3(SYS_ioctl, slave, TIOCSCTTY, 0);
    }
    for (int fd = 0; r == 0 && fd < 3; fd++) {
        r = SYS3(SYS_dup3, slave, fd, 0);
        r = r < 0 ? r : 0;
    }
    if (slave > 2) {
        SYS1(SYS_close, slave);
    }
    return r;
}

/*
 * seccomp(SECCOMP_SET_MODE_FILTER) with the spec's flags; prctl(PR_SET_SECCOMP) on kernels
 * without seccomp(2) (before 3.17), which cannot take flags. Without no_new_privs the kernel
 * requires CAP_SYS_ADMIN, which is why Java places the op before the identity change then.
 */
static long install_seccomp(const struct berth_op *op)
{
    struct sock_fprog prog = {(unsigned short)op->n[0], (struct sock_filter *)op->s[0]};
    long r = SYS3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, op->n[1], &prog);
    if (r == -ENOSYS && op->n[1] == 0) {
        r = SYS5(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    }
    return r;
}

/*
 * mknod, then chown as runc does (mknod cannot set the owner). Without REPLACE an existing node is
 * kept (the default /dev nodes); with it (linux.devices) whatever is at the path is unlinked first,
 * so the node has exactly the type, numbers, mode and owner the spec asked for. A directory there
 * is an error (EISDIR), not something to delete.
 */
static long make_node_at(long dir, const char *name, const struct berth_op *op)
{
    if (op->flags & BERTH_OPF_REPLACE) {
        long r = SYS3(SYS_unlinkat, dir, name, 0);
        if (r < 0 && r != -ENOENT) {
            return r;
        }
    }
    long r = SYS4(SYS_mknodat, dir, name, op->n[0], op->n[1]);
    if (r == -EEXIST && !(op->flags & BERTH_OPF_REPLACE)) {
        return 0;
    }
    if (r < 0) {
        return r;
    }
    if (op->n[2] != (uint64_t)-1 || op->n[3] != (uint64_t)-1) {
        r = SYS5(SYS_fchownat, dir, name, op->n[2], op->n[3], AT_SYMLINK_NOFOLLOW);
    }
    return r;
}

/* A relative path's node is made in its parent opened beneath the cwd (see open_beneath). */
static long make_node(const struct berth_op *op)
{
    const char *path = op->s[0];
    if (path[0] == '/') {
        return make_node_at(AT_FDCWD, path, op);
    }
    const char *name;
    long dir = open_parent(path, &name);
    if (failed_open(dir)) {
        return dir;
    }
    long r = make_node_at(dir, name, op);
    close_fd(dir);
    return r;
}

/*
 * One write of the whole value, as a sysctl needs (procfs parses each write(2) on its own), into a
 * file under /proc that really is procfs's (runc's CVE-2025-52881): /proc must be a procfs root, and
 * the rest of the path is walked inside that one mount, so a mount raced onto /proc/sys/... (or a
 * symlink there) cannot redirect the write, made with all of the launcher's privileges, to another
 * file such as a host-wide sysctl.
 */
static long write_file(const char *path, const char *data, uint64_t len)
{
    const char *prefix = "/proc/";
    for (int i = 0; prefix[i]; i++) {
        if (path[i] != prefix[i]) {
            return -EINVAL;
        }
    }
    long proc = SYS4(SYS_openat, AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    if (proc < 0) {
        return proc;
    }
    struct statfs sfs;
    struct stat st;
    long r = SYS2(SYS_fstatfs, proc, &sfs);
    if (r == 0) {
        r = SYS4(SYS_newfstatat, proc, "", &st, AT_EMPTY_PATH);
    }
    if (r == 0 && (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)) {
        r = -EXDEV; /* not the root of a procfs */
    }
    long fd = r;
    if (r == 0) {
        struct open_how how;
        how.flags = O_WRONLY | O_TRUNC | O_CLOEXEC;
        how.mode = 0;
        how.resolve = RESOLVE_STRICT | RESOLVE_NO_XDEV;
        fd = SYS4(SYS_openat2, proc, path + 6, &how, sizeof how);
    }
    close_fd(proc);
    if (fd < 0) {
        return fd;
    }
    r = write_all((int)fd, data, len);
    SYS1(SYS_close, fd);
    return r;
}

static long run_op(struct berth_plan *p, const struct berth_op *op)
{
    const uint64_t *n = op->n;
    const char *const *s = op->s;
    long r;
    switch (op->code) {
    case OP_MOUNT:
        if (s[1][0] != '/') {
            return mount_beneath(s[0], s[1], s[2], n[0], s[3]);
        }
        return SYS5(SYS_mount, s[0], s[1], s[2], n[0], s[3]);
    case OP_BIND:
        if (s[1][0] != '/') {
            return bind_beneath(s[0], s[1], n[0] & MS_REC, n[1]);
        }
        r = SYS5(SYS_mount, s[0], s[1], NULL, MS_BIND | n[0], NULL);
        if (r == 0 && n[1] != 0) {
            r = remount(s[1], n[1]);
        }
        return r;
    case OP_REMOUNT:
        return remount(s[1], n[0]);
    case OP_MKDIR:
        return s[0][0] != '/' ? make_dirs_beneath(s[0], (long)n[0]) : make_dirs(s[0], (long)n[0]);
    case OP_MKNOD:
        return make_node(op);
    case OP_TOUCH:
        return touch_at(s[0]);
    case OP_SYMLINK:
        return symlink_at(s[0], s[1]);
    case OP_CHDIR:
        return SYS1(SYS_chdir, s[0]);
    case OP_PIVOT_ROOT:
        /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the
           container's tree, with no directory needed to park the old root in. */
        r = SYS2(SYS_pivot_root, ".", ".");
        if (r == 0) {
            r = SYS2(SYS_umount2, ".", MNT_DETACH);
        }
        if (r == 0) {
            r = SYS1(SYS_chdir, "/");
        }
        return r;
    case OP_SETHOSTNAME:
        return SYS2(SYS_sethostname, s[0], slen(s[0]));
    case OP_UNSHARE:
        return SYS1(SYS_unshare, n[0]);
    case OP_LOOPBACK_UP:
        return loopback_up();
    case OP_SETRLIMIT: {
        struct rlimit rl = {n[1], n[2]};
        return SYS4(SYS_prlimit64, 0, n[0], &rl, NULL);
    }
    case OP_SETGROUPS:
        return SYS2(SYS_setgroups, n[0], s[0]);
    case OP_SETGID:
        return SYS3(SYS_setresgid, n[0], n[0], n[0]);
    case OP_SETUID:
        return SYS3(SYS_setresuid, n[0], n[0], n[0]);
    case OP_KEEPCAPS:
        return SYS5(SYS_prctl, PR_SET_KEEPCAPS, n[0], 0, 0, 0);
    case OP_DROP_BOUNDING:
        return drop_bounding(n[0]);
    case OP_SETCAPS:
        return set_caps(n[0], n[1], n[2]);
    case OP_RAISE_AMBIENT:
        return raise_ambient(n[0]);
    case OP_NO_NEW_PRIVS:
        return SYS5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    case OP_CHECK_EXECUTABLE:
        return lookup_executable(s[0], s[1], p->exec_buf);
    case OP_UMASK:
        SYS1(SYS_umask, n[0]);
        return 0;
    case OP_MASK_PATH:
        return mask_path(s[0]);
    case OP_SETNS:
        r = SYS4(SYS_openat, AT_FDCWD, s[0], O_RDONLY | O_CLOEXEC, 0);
        if (r < 0) {
            return r;
        }
        {
            long fd = r;
            r = SYS2(SYS_setns, fd, n[0]);
            SYS1(SYS_close, fd);
        }
        return r;
    case OP_ENTER_PID_NS:
        return enter_pid_ns();
    case OP_TERMINAL:
        return setup_terminal(n[0], n[1], n[2], n[3]);
    case OP_SECCOMP:
        return install_seccomp(op);
    case OP_WRITE_FILE:
        return write_file(s[0], s[1], n[0]);
    default:
        return -EINVAL;
    }
}

/*
 * Until execve this process's memory is the launching JVM's (CLONE_VM: the JVM itself; fork-style:
 * a copy), its /proc/PID/exe is the host's java binary and its root, cwd and fds are the host's.
 * Once it joins a PID namespace a container can see it, and /proc/PID/{exe,root,cwd,fd,environ,
 * mem,maps} are guarded only by ptrace_may_access: for a dumpable mm, a caller with the same uid
 * passes (runc's CVE-2016-9962 and CVE-2019-5736). Non-dumpable, the caller needs CAP_SYS_PTRACE
 * in the mm's user namespace (the host's), which only a container without a user namespace that
 * holds CAP_SYS_PTRACE has (docs/security.md). execve gives the program a new mm whose dumpable
 * state is its own. The flag lives in the mm, so with CLONE_VM this is the JVM's (Launcher sets it
 * there on purpose before the first clone); it is set again here for a plan whose launcher did not.
 */
static long stay_undumpable(void)
{
    return SYS5(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * A credential change (setns or unshare of a user namespace, set*id, setgroups, capset) resets
 * the mm's dumpable flag to fs.suid_dumpable; where a host set that to 1 the launcher would be
 * open again, so it is closed after each of them.
 */
static int changes_credentials(uint64_t code)
{
    return code == OP_SETNS || code == OP_UNSHARE || code == OP_SETGROUPS || code == OP_SETGID || code == OP_SETUID
        || code == OP_SETCAPS || code == OP_RAISE_AMBIENT || code == OP_KEEPCAPS;
}

int berth_child_main(void *arg)
{
    struct berth_plan *p = arg;
    /* First, before anything else can happen: the report pipe is not on FD_REPORT yet. */
    long d = stay_undumpable();
    if (d < 0) {
        struct berth_report rep = {STEP_DUMPABLE, (int32_t)-d};
        SYS3(SYS_write, p->report_w, &rep, sizeof rep);
        SYS1(SYS_exit_group, 1);
    }
    reset_signals();
    arrange_fds(p);

    /* Wait for "go": the parent puts us into cgroups and writes id maps meanwhile. */
    long r = read_byte(FD_GO);
    if (r <= 0) {
        /* EOF: the parent gave up on this launch (ChildProcess.close before proceed). */
        SYS1(SYS_exit_group, 1);
    }
    SYS1(SYS_close, FD_GO);

    long late_seccomp = -1;
    for (uint64_t i = 0; i < p->n_ops; i++) {
        const struct berth_op *op = &p->ops[i];
        if (op->code == OP_SECCOMP && op->n[2]) {
            late_seccomp = (long)i; /* with no_new_privs: as late as possible, see below */
            continue;
        }
        r = run_op(p, op);
        if (r == -ENOENT && (op->flags & BERTH_OPF_IGNORE_ENOENT)) {
            continue;
        }
        if (r < 0) {
            die((int)i, r);
        }
        if (changes_credentials(op->code)) {
            r = stay_undumpable();
            if (r < 0) {
                die(STEP_DUMPABLE, r);
            }
        }
    }

    /* Setup is done. Sent with or without a gate, so the parent can tell "died during setup"
       (EOF before READY) from "exec'd" (EOF after it). */
    struct berth_report ready = {STEP_READY, 0};
    r = write_all(FD_REPORT, &ready, sizeof ready);
    if (r < 0) {
        die(STEP_GATE, r);
    }
    if (p->gate_fd >= 0) {
        r = read_byte(FD_GATE);
        if (r == 0) {
            /* Nobody will ever start us; leave quietly instead of running half-released. */
            SYS1(SYS_exit_group, 1);
        }
        if (r < 0) {
            die(STEP_GATE, r);
        }
        SYS1(SYS_close, FD_GATE);
    }

    /* Only execve follows (and, should it fail, the report write and exit), so a profile need
       not allow what the setup and the gate use. A failure is reported as the op's own step. */
    if (late_seccomp >= 0) {
        r = install_seccomp(&p->ops[late_seccomp]);
        if (r < 0) {
            die((int)late_seccomp, r);
        }
    }
    r = exec_program(p);
    die(STEP_EXEC, r);
}
