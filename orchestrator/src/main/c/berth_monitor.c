/*
 * berth-monitor: the I/O of one interactive container (spec.containers[].stdin or tty), so that
 * neither its terminal nor its stdin depends on the daemon's JVM (docs/architecture.md,
 * "Interactive containers and attach"). Non-interactive containers have no monitor: their
 * output is an O_APPEND file the kernel writes.
 *
 *   berth-monitor DIR LOG FLAGS [STDIN STDOUT STDERR]
 *
 * FLAGS is a word of letters: t (a terminal), i (stdin is attachable), o (stdinOnce).
 * With t: listens on DIR/console.sock, where the container's terminal setup sends the pty master
 * (runc's console-socket contract, SCM_RIGHTS), and then holds that master.
 * Without t: STDIN, STDOUT and STDERR are paths to open (the daemon's /proc/PID/fd/N of the pipes
 * whose other ends the container gets): this process holds stdin's write end and the outputs'
 * read ends.
 *
 * It copies the container's output to LOG (O_APPEND, the bytes as written, the same file format as
 * a non-interactive container's) and to every client of DIR/attach.sock, an AF_UNIX stream whose
 * frames are [channel:1][length:4, big-endian][bytes] with the Kubernetes remote-command channels:
 * from clients 0 stdin, 4 resize (rows:2, cols:2, big-endian), 5 hello (one byte: 1 when the
 * session attaches stdin), 255 close (stdin ended); to clients 1 stdout, 2 stderr. When the
 * container's output ends (every writer closed the pipes or the pty's slave) it closes the clients
 * and exits. With o, when the first session that attached stdin ends, stdin is closed (the pipe's
 * write end; on a terminal the EOF character is written, as a terminal's user ends input).
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
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define HEADER 5

enum { CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_RESIZE = 4, CH_HELLO = 5, CH_CLOSE = 255 };

struct client {
    int fd;
    int stdin_session;
    size_t have;
    unsigned char buf[HEADER + 64 * 1024];
};

static const char *dir;
static int log_fd = -1;
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

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 7) {
        fprintf(stdout, "error: usage: berth-monitor DIR LOG FLAGS [STDIN STDOUT STDERR]\n");
        return 2;
    }
    dir = argv[1];
    tty = strchr(argv[3], 't') != NULL;
    stdin_on = strchr(argv[3], 'i') != NULL;
    stdin_once = strchr(argv[3], 'o') != NULL;
    if (!tty && argc != 7) {
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
    log_fd = open_path(argv[2], O_WRONLY | O_CREAT | O_APPEND);
    if (!tty) {
        in_fd = open_path(argv[4], O_WRONLY);
        out_fd[0] = open_path(argv[5], O_RDONLY);
        out_fd[1] = open_path(argv[6], O_RDONLY);
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
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);

    unsigned char buf[32 * 1024];
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
        for (int s = 0; s < 2; s++) {
            if (out_fd[s] < 0) {
                continue;
            }
            if (p[2 + s].revents) {
                ssize_t r = read(out_fd[s], buf, sizeof buf);
                if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
                    open_outputs++;
                    continue;
                }
                if (r <= 0) { /* EOF on a pipe; EIO on a master whose slave is closed everywhere */
                    if (tty) {
                        in_fd = -1;
                    }
                    close(out_fd[s]);
                    out_fd[s] = -1;
                    continue;
                }
                write_all(log_fd, buf, (size_t)r);
                to_clients(s == 0 ? CH_STDOUT : CH_STDERR, buf, (size_t)r);
            }
            open_outputs++;
        }
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
