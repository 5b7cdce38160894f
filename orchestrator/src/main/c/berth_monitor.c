/*
 * berth-monitor: the I/O of one container run, so that neither its output, nor its terminal, nor
 * its stdin depends on the daemon's JVM (docs/architecture.md, "Exits and logs that outlive the
 * daemon" and "Interactive containers and attach"). Every run has one, in the spirit of conmon.
 *
 *   berth-monitor DIR LOG MAXBYTES MAXFILES FLAGS [STDIN STDOUT STDERR]
 *
 * FLAGS is a word of letters: t (a terminal), i (stdin is attachable), o (stdinOnce), d (detach:
 * fork at once and let the parent exit, for a daemon that runs under berth-subreaper, which then
 * reaps the monitor: the JDK keeps a thread blocked in waitpid for every child process it started,
 * one per monitor, a thousand at 500 pods).
 * With t: listens on DIR/console.sock, where the container's terminal setup sends the pty master
 * (runc's console-socket contract, SCM_RIGHTS), and then holds that master.
 * Without t: STDIN, STDOUT and STDERR are paths to open (the daemon's /proc/PID/fd/N of the pipes
 * whose other ends the container gets): this process holds stdin's write end ("-" when the
 * container has no stdin: it reads /dev/null) and the outputs' read ends.
 *
 * Output goes to LOG (opened, O_APPEND, at the first output) in the CRI logging format the kubelet reads, one record per line:
 *   <RFC3339 UTC time, 9 fraction digits> <stdout|stderr> <F|P> <content>\n
 * F ends a line; P is a part of a line: a line longer than LINE_MAX is cut into P parts and its
 * last part, and a last line without a newline when the stream ends is a P (as containerd's CRI
 * writes them). A terminal is one stream, "stdout". When LOG would grow past MAXBYTES it is
 * rotated by renaming (LOG.1 -> LOG.2 ..., LOG -> LOG.1, the oldest beyond MAXFILES-1 removed) and
 * a new LOG is opened: no record is lost or split between files, daemon or not.
 *
 * Output also goes, as written, to every client of DIR/attach.sock, an AF_UNIX stream whose frames
 * are [channel:1][length:4, big-endian][bytes] with the Kubernetes remote-command channels: from
 * clients 0 stdin, 4 resize (rows:2, cols:2, big-endian), 5 hello (one byte: 1 when the session
 * attaches stdin), 255 close (stdin ended); to clients 1 stdout, 2 stderr. When the container's
 * output ends (every writer closed the pipes or the pty's slave) it writes what it holds, closes
 * the clients and exits. So a monitor started for a run that is never created (its pipes' other
 * ends are closed by the daemon, or die with it) exits by itself. With o, when the first session
 * that attached stdin ends, stdin is closed (the pipe's write end; on a terminal the EOF
 * character is written, as a terminal's user ends input).
 *
 * It works in DIR (its cwd, so socket names stay short whatever the state root; clients reach them
 * through /proc/self/fd/DIRFD/NAME). It writes DIR/monitor.pid ("PID STARTTIME") so that a restarted daemon can find and stop it,
 * prints "ready" on stdout once it listens (errors: one line on stdout, exit 1), then points its
 * stdio at /dev/null and runs in its own session, ignoring SIGHUP and SIGPIPE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define HEADER 5
/* containerd's max_container_log_line_size default: a longer line is written in parts of this size */
#define LINE_MAX_BYTES (16 * 1024)
/* "2006-01-02T15:04:05.000000000Z stderr P " */
#define PREFIX_MAX 48

enum { CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_RESIZE = 4, CH_HELLO = 5, CH_CLOSE = 255 };

struct client {
    int fd;
    int stdin_session;
    size_t have;
    unsigned char buf[HEADER + 64 * 1024];
};

static const char *dir;
static const char *log_path;
static int log_fd = -1;
static long long log_size, log_max;
static int log_files;
static int tty, stdin_on, stdin_once, stdin_done;
static int in_fd = -1;          /* where client stdin goes: the master, or the pipe's write end */
static int out_fd[2] = {-1, -1}; /* what the container writes: master (tty), or stdout and stderr pipes */
static struct client clients[MAX_CLIENTS];

static void fail(const char *what)
{
    printf("error: berth-monitor: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static int listen_on(const char *name)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", name); /* relative to DIR, our cwd: any state root fits */
    unlink(a.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || chmod(a.sun_path, 0600) < 0 || listen(fd, 8) < 0) {
        fail(name);
    }
    return fd;
}

static int write_all(int fd, const void *b, size_t n)
{
    const unsigned char *p = b;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void drop(struct client *c)
{
    close(c->fd);
    int was_stdin = c->stdin_session;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    if (was_stdin && stdin_once && !stdin_done && in_fd >= 0) {
        stdin_done = 1;
        if (tty) {
            struct termios t;
            char eof = tcgetattr(in_fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
            write_all(in_fd, &eof, 1);
        } else {
            close(in_fd);
            in_fd = -1;
        }
    }
}

static void to_clients(int channel, const unsigned char *data, size_t n)
{
    unsigned char h[HEADER] = {(unsigned char)channel, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                               (unsigned char)(n >> 8), (unsigned char)n};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd >= 0 && (write_all(clients[i].fd, h, HEADER) < 0 || write_all(clients[i].fd, data, n) < 0)) {
            drop(&clients[i]);
        }
    }
}

static void frame(struct client *c, int channel, unsigned char *p, size_t n)
{
    switch (channel) {
    case CH_STDIN:
        if (stdin_on && !stdin_done && in_fd >= 0 && n > 0) {
            write_all(in_fd, p, n);
        }
        break;
    case CH_RESIZE:
        if (tty && n >= 4) {
            struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3])};
            ioctl(out_fd[0], TIOCSWINSZ, &ws);
        }
        break;
    case CH_HELLO:
        c->stdin_session = stdin_on && n > 0 && p[0] == 1;
        break;
    case CH_CLOSE:
        if (n > 0 && p[0] == CH_STDIN && !tty && in_fd >= 0) {
            close(in_fd);
            in_fd = -1;
        }
        break;
    }
}

/* Reads what a client sent and acts on each whole frame; 0 when it went away. */
static int from_client(struct client *c)
{
    ssize_t r = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
        return 1;
    }
    if (r <= 0) {
        return 0;
    }
    c->have += (size_t)r;
    while (c->have >= HEADER) {
        size_t n = (size_t)c->buf[1] << 24 | (size_t)c->buf[2] << 16 | (size_t)c->buf[3] << 8 | c->buf[4];
        if (n > sizeof c->buf - HEADER) {
            return 0; /* the daemon never sends more than 32 KiB at once */
        }
        if (c->have < HEADER + n) {
            break;
        }
        frame(c, c->buf[0], c->buf + HEADER, n);
        memmove(c->buf, c->buf + HEADER + n, c->have - HEADER - n);
        c->have -= HEADER + n;
    }
    return 1;
}

static int receive_master(int lfd)
{
    int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (s < 0) {
        return -1;
    }
    char name[256];
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t r = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
    close(s);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    if (r < 0 || cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

static unsigned long long start_time(void)
{
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) {
        close(fd);
    }
    if (n <= 0) {
        return 0;
    }
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    for (int field = 2; field < 22 && p != NULL; field++) {
        p = strchr(p + 1, ' ');
    }
    return p == NULL ? 0 : strtoull(p + 1, NULL, 10);
}

static int open_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) {
        fail(path);
    }
    return fd;
}


/* One output stream's line that is not yet complete. */
struct line {
    const char *name;
    size_t have;
    char buf[LINE_MAX_BYTES];
};

static struct line lines[2] = {{.name = "stdout"}, {.name = "stderr"}};

/* Records not yet written: written with one write(2) per read of the container's output. */
static char out[64 * 1024 + LINE_MAX_BYTES + PREFIX_MAX + 1];
static size_t out_len;
static char stamp[96];

static void now_stamp(void)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

static void open_log(void)
{
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    log_size = log_fd >= 0 && fstat(log_fd, &st) == 0 ? st.st_size : 0;
}

/* LOG.(MAXFILES-1) goes, the others move up one, LOG becomes LOG.1, a new LOG is opened. Renames:
   a reader holding the old file reads it to its end, then opens the new one. */
static void rotate(void)
{
    char from[4200], to[4200];
    int keep = log_files > 1 ? log_files - 1 : 1;
    snprintf(to, sizeof to, "%s.%d", log_path, keep);
    unlink(to);
    for (int i = keep - 1; i >= 1; i--) {
        snprintf(from, sizeof from, "%s.%d", log_path, i);
        snprintf(to, sizeof to, "%s.%d", log_path, i + 1);
        rename(from, to);
    }
    snprintf(to, sizeof to, "%s.1", log_path);
    if (rename(log_path, to) == 0) {
        close(log_fd);
        open_log();
    }
}

static void flush_log(void)
{
    if (out_len > 0 && log_fd < 0) {
        open_log(); /* at the first output: a monitor started ahead of its run leaves no file if the run is never made */
    }
    if (out_len > 0 && log_fd >= 0) {
        write_all(log_fd, out, out_len);
        log_size += (long long)out_len;
    }
    out_len = 0;
}

/* One record: stream, F or P, content (without its newline). */
static void record(const char *stream, char tag, const char *content, size_t n)
{
    size_t need = strlen(stamp) + strlen(stream) + 4 + n + 1;
    if (out_len + need > sizeof out) {
        flush_log();
    }
    if (log_fd < 0 && out_len == 0) {
        open_log(); /* its size decides the rotation */
    }
    if (log_max > 0 && log_size + (long long)(out_len + need) > log_max && log_size + (long long)out_len > 0) {
        flush_log();
        if (log_size > 0) {
            rotate();
        }
    }
    out_len += (size_t)snprintf(out + out_len, sizeof out - out_len, "%s %s %c ", stamp, stream, tag);
    memcpy(out + out_len, content, n);
    out_len += n;
    out[out_len++] = '\n';
}

/* Turns what a stream's buffer holds into records: each whole line an F, a full buffer a P, and at
   the end of the stream what is left a P (it had no newline). */
static void drain_lines(struct line *l, int at_end)
{
    size_t start = 0;
    for (size_t i = 0; i < l->have; i++) {
        if (l->buf[i] == '\n') {
            record(l->name, 'F', l->buf + start, i - start);
            start = i + 1;
        }
    }
    size_t rest = l->have - start;
    if (rest > 0 && (at_end || rest == sizeof l->buf)) {
        record(l->name, 'P', l->buf + start, rest);
        rest = 0;
        start = l->have;
    }
    memmove(l->buf, l->buf + start, rest);
    l->have = rest;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 9) {
        fprintf(stdout, "error: usage: berth-monitor DIR LOG MAXBYTES MAXFILES FLAGS [STDIN STDOUT STDERR]\n");
        return 2;
    }
    dir = argv[1];
    log_path = argv[2];
    log_max = strtoll(argv[3], NULL, 10);
    log_files = atoi(argv[4]);
    tty = strchr(argv[5], 't') != NULL;
    stdin_on = strchr(argv[5], 'i') != NULL;
    stdin_once = strchr(argv[5], 'o') != NULL;
    int detached_ready = -1; /* the detached child's end of the pipe its parent waits on */
    if (strchr(argv[5], 'd') != NULL) {
        int sync[2];
        if (pipe2(sync, O_CLOEXEC) < 0) {
            printf("error: berth-monitor: pipe: %s\n", strerror(errno));
            return 1;
        }
        pid_t child = fork();
        if (child < 0) {
            printf("error: berth-monitor: fork: %s\n", strerror(errno));
            return 1;
        }
        if (child > 0) {
            /*
             * The child answers on the same stdout: "ready" or an error. Exit only once it has (it
             * closes its end then, or dies): the JDK, seeing its child exit, drains what is in the
             * pipe at that moment and closes it, so an answer written later would be lost.
             */
            close(sync[1]);
            char b;
            while (read(sync[0], &b, 1) < 0 && errno == EINTR) {
            }
            _exit(0);
        }
        close(sync[0]);
        detached_ready = sync[1];
    }
    if (!tty && argc != 9) {
        fprintf(stdout, "error: berth-monitor: without a terminal STDIN STDOUT STDERR are needed\n");
        return 2;
    }
    if (chdir(dir) < 0) {
        fail(dir);
    }
    setsid();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        clients[i].fd = -1;
    }
    if (!tty) {
        in_fd = strcmp(argv[6], "-") == 0 ? -1 : open_path(argv[6], O_WRONLY);
        out_fd[0] = open_path(argv[7], O_RDONLY);
        out_fd[1] = open_path(argv[8], O_RDONLY);
    }
    int console = tty ? listen_on("console.sock") : -1;
    int attach = listen_on("attach.sock");
    const char *pidfile = "monitor.pid", *tmp = ".monitor.pid.tmp";
    char line[64];
    int pf = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int len = snprintf(line, sizeof line, "%d %llu\n", (int)getpid(), start_time());
    if (pf < 0 || write_all(pf, line, (size_t)len) < 0 || close(pf) < 0 || rename(tmp, pidfile) < 0) {
        fail(pidfile);
    }
    printf("ready\n");
    fflush(stdout);
    if (detached_ready >= 0) {
        close(detached_ready); /* the parent may exit now: "ready" is in the pipe */
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);

    for (;;) {
        struct pollfd p[4 + MAX_CLIENTS];
        int n = 0;
        p[n++] = (struct pollfd){.fd = attach, .events = POLLIN};
        p[n++] = (struct pollfd){.fd = console, .events = POLLIN};
        p[n++] = (struct pollfd){.fd = out_fd[0], .events = POLLIN};
        p[n++] = (struct pollfd){.fd = out_fd[1], .events = POLLIN};
        for (int i = 0; i < MAX_CLIENTS; i++) {
            p[n++] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        }
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        if (p[0].revents & POLLIN) {
            int c = accept4(attach, NULL, NULL, SOCK_CLOEXEC);
            int i = 0;
            while (c >= 0 && i < MAX_CLIENTS && clients[i].fd >= 0) {
                i++;
            }
            if (c >= 0 && i == MAX_CLIENTS) {
                close(c);
            } else if (c >= 0) {
                struct timeval tv = {.tv_sec = 5};
                setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv); /* a stuck client is dropped, never the container */
                clients[i].fd = c;
            }
        }
        if (p[1].revents) {
            int m = receive_master(console);
            close(console);
            console = -1;
            unlink("console.sock");
            if (m >= 0) {
                out_fd[0] = m;
                in_fd = m;
            }
        }
        int open_outputs = 0;
        int stamped = 0;
        for (int s = 0; s < 2; s++) {
            if (out_fd[s] < 0) {
                continue;
            }
            if (p[2 + s].revents) {
                struct line *l = &lines[s];
                ssize_t r = read(out_fd[s], l->buf + l->have, sizeof l->buf - l->have);
                if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
                    open_outputs++;
                    continue;
                }
                if (!stamped) {
                    now_stamp(); /* the time this output was read: one clock read per wake-up */
                    stamped = 1;
                }
                if (r <= 0) { /* EOF on a pipe; EIO on a master whose slave is closed everywhere */
                    if (tty) {
                        in_fd = -1;
                    }
                    close(out_fd[s]);
                    out_fd[s] = -1;
                    drain_lines(l, 1);
                    continue;
                }
                to_clients(s == 0 ? CH_STDOUT : CH_STDERR, (unsigned char *)l->buf + l->have, (size_t)r);
                l->have += (size_t)r;
                drain_lines(l, 0);
            }
            open_outputs++;
        }
        flush_log();
        if (open_outputs == 0 && console < 0) {
            break;
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd >= 0 && p[4 + i].revents && !from_client(&clients[i])) {
                drop(&clients[i]);
            }
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd >= 0) {
            drop(&clients[i]);
        }
    }
    /* monitor.pid stays: the daemon, removing this directory, also removes the exit file a
       subreaper may have written for this process by its pid and start time. */
    unlink("attach.sock");
    return 0;
}
