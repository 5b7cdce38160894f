/*
 * berth-subreaper EXITS_DIR COMMAND [ARG...]: the daemon's parent, so that containers never depend
 * on the daemon's JVM being alive (docs/architecture.md, "Exits that outlive the daemon").
 *
 * It marks itself a child subreaper and runs COMMAND (the JVM) as its child. While the JVM lives it
 * is the containers' parent and keeps their exits itself. When the JVM dies (SIGKILL, crash, or a
 * SIGTERM'd daemon that leaves its pods running) its children - the containers - are reparented
 * here. This process then reaps each one and, before reaping, writes EXITS_DIR/<pid>-<starttime>
 * ("exit N" or "signal N"), so that the next daemon learns every exit code it missed; the start
 * time (field 22 of /proc/PID/stat) tells a reused pid apart (the daemon's own berth-monitors are
 * reaped without a file: see helper()). It lingers until it has no children
 * left and then exits with the JVM's status. Signals that ask the daemon to stop are passed on to
 * the JVM while it lives.
 *
 * With BERTH_SUBREAPER_DETACH=1 in its environment (the systemd unit sets it) the process started
 * splits in two: the subreaper above runs as its child, and the process itself only passes the
 * stop signals on and exits with the JVM's status as soon as the JVM is gone. So a service manager
 * that waits for its main process (systemd with KillMode=process) sees the daemon stop when the
 * JVM stops, not when the last container does, and sees a crashed JVM as a failure to restart;
 * the subreaper stays behind, reparented, still the containers' parent.
 *
 * A few KiB of code with no state but the kernel's: it cannot lose anything by crashing that the
 * kernel would not hand to init instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t main_pid;

static void forward(int sig)
{
    pid_t p = main_pid;
    if (p > 0) {
        kill(p, sig);
    }
}

/* /proc/PID/NAME read into BUF (NUL-terminated, at most SIZE - 1 bytes): 0, or -1 if it cannot be read. */
static int read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    buf[n] = 0;
    return 0;
}

/* Field 22 of /proc/PID/stat (clock ticks since boot), or 0 if it cannot be read. */
static unsigned long long start_time(pid_t pid)
{
    char buf[1024];
    if (read_proc(pid, "stat", buf, sizeof buf) < 0) {
        return 0;
    }
    /* The command name is in parentheses and may contain spaces and ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return 0;
    }
    p += 2; /* field 3, the state */
    for (int field = 3; field < 22 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL) {
            p++;
        }
    }
    return p == NULL ? 0 : strtoull(p, NULL, 10);
}

/*
 * Whether PID (a zombie) is one of the daemon's own helpers rather than a container: a
 * berth-monitor (one per container run), or the JDK's jspawnhelper caught mid-spawn of one, in
 * this process's PID namespace (NSpid has one entry; every container and sandbox has its own PID
 * namespace or its pod's). Nobody needs their exit status, and a file for them would have no
 * owner to remove it (a monitor started ahead of its run and ended by a daemon crash, before it
 * wrote its pid file, leaves only a directory with no pid in it).
 */
static int helper(pid_t pid)
{
    char buf[4096];
    if (read_proc(pid, "status", buf, sizeof buf) < 0) {
        return 0;
    }
    int ours = strncmp(buf, "Name:\tberth-monitor\n", 20) == 0 || strncmp(buf, "Name:\tjspawnhelper\n", 19) == 0;
    char *ns = strstr(buf, "\nNSpid:\t");
    if (!ours || ns == NULL) {
        return 0;
    }
    ns += 8;
    char *end = strchr(ns, '\n');
    char *tab = strchr(ns, '\t');
    return tab == NULL || (end != NULL && tab > end); /* one pid: our namespace */
}

static void write_exit(const char *dir, const siginfo_t *si)
{
    if (helper(si->si_pid)) {
        return;
    }
    unsigned long long st = start_time(si->si_pid);
    char name[4096], tmp[4096], line[64];
    snprintf(name, sizeof name, "%s/%d-%llu", dir, (int)si->si_pid, st);
    snprintf(tmp, sizeof tmp, "%s/.tmp-%d-%llu", dir, (int)si->si_pid, st);
    int len = si->si_code == CLD_EXITED ? snprintf(line, sizeof line, "exit %d\n", si->si_status)
                                        : snprintf(line, sizeof line, "signal %d\n", si->si_status);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "berth-subreaper: cannot record the exit of %d in %s: %s\n", (int)si->si_pid, tmp, strerror(errno));
        return;
    }
    if (write(fd, line, len) != len || close(fd) != 0 || rename(tmp, name) != 0) {
        fprintf(stderr, "berth-subreaper: cannot record the exit of %d in %s: %s\n", (int)si->si_pid, name, strerror(errno));
        unlink(tmp);
    }
}

static int exit_code(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * The detached front (BERTH_SUBREAPER_DETACH=1): waits for the JVM's wait status, which the
 * subreaper (child) writes on the report pipe when it reaps the JVM, passing stop signals to the
 * subreaper meanwhile (the handler's main_pid); if the subreaper dies first, its own status.
 */
static int front(pid_t subreaper, int report, const sigset_t *old)
{
    main_pid = subreaper;
    sigprocmask(SIG_SETMASK, old, NULL);
    int status;
    ssize_t n;
    do {
        n = read(report, &status, sizeof status);
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof status) {
        return exit_code(status);
    }
    while (waitpid(subreaper, &status, 0) < 0) {
        if (errno != EINTR) {
            return 1;
        }
    }
    return exit_code(status);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: berth-subreaper EXITS_DIR COMMAND [ARG...]\n");
        return 2;
    }
    const char *dir = argv[1];
    const char *detach = getenv("BERTH_SUBREAPER_DETACH");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        sigaddset(&block, forwarded[i]);
    }
    /* Blocked until main_pid is known, so that no signal is lost in between. */
    sigprocmask(SIG_BLOCK, &block, &old);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        sigaction(forwarded[i], &sa, NULL);
    }
    int report = -1; /* the detached front's pipe, in the subreaper */
    if (detach != NULL && strcmp(detach, "1") == 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            perror("berth-subreaper: pipe2");
            return 1;
        }
        pid_t sub = fork();
        if (sub < 0) {
            perror("berth-subreaper: fork");
            return 1;
        }
        if (sub > 0) {
            close(fds[1]);
            return front(sub, fds[0], &old);
        }
        close(fds[0]);
        report = fds[1];
        unsetenv("BERTH_SUBREAPER_DETACH"); /* not the JVM's business */
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("berth-subreaper: prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("berth-subreaper: fork");
        return 1;
    }
    if (child == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGUSR1, SIG_DFL);
        signal(SIGUSR2, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "berth-subreaper: exec %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    main_pid = child;
    sigprocmask(SIG_SETMASK, &old, NULL);
    int main_status = 0;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        /* Peek first: the zombie's /proc entry (and so its start time) is gone once it is reaped. */
        if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL) != 0) {
            if (errno == EINTR) {
                continue;
            }
            break; /* ECHILD: nothing left to wait for */
        }
        if (si.si_pid == 0) {
            continue;
        }
        if (si.si_pid != child) {
            write_exit(dir, &si);
        }
        int status;
        while (waitpid(si.si_pid, &status, __WALL) < 0 && errno == EINTR) {
        }
        if (si.si_pid == child) {
            main_status = status;
            main_pid = 0;
            if (report >= 0) {
                ssize_t w = write(report, &status, sizeof status);
                (void)w; /* a front that is gone has nobody to tell */
                close(report);
                report = -1;
            }
        }
    }
    return exit_code(main_status);
}
