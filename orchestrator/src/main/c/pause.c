/*
 * The pod sandbox's process (the kubelet's pause container): it holds the pod's network, IPC and
 * UTS namespaces (and its PID namespace with shareProcessNamespace, where it is PID 1 and must reap
 * orphans) for as long as the pod lives, and does nothing else. Static, so its root filesystem is
 * this one file; a few hundred KiB of RSS.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig)
{
    (void)sig;
    _exit(0);
}

static void reap(int sig)
{
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = reap;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    for (;;) {
        pause();
    }
}
