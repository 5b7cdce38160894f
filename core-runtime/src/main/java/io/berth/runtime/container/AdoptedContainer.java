package io.berth.runtime.container;

import java.util.concurrent.CompletableFuture;

import io.berth.runtime.linux.PidFd;

/**
 * A container this JVM did not create, watched through a pidfd opened on its recorded identity
 * (pid plus start time): what a restarted daemon holds for the containers that outlived it.
 * {@link ContainerRuntime#adopt(String)} makes one.
 *
 * <p>What its exit can report: that it exited, when (the future completes then, through the same
 * one-thread {@link io.berth.runtime.linux.ExitWatcher} as created containers), and whether the
 * OOM killer acted in its cgroup since adoption (for one that had exited before, whether it ever
 * acted there). What it cannot: the exit code and signal, unless
 * this JVM happens to be the process's parent (it then reads them without reaping: the zombie is
 * left to whoever created it here, or to delete). A process's
 * status goes to its parent alone, and after a daemon restart that is the nearest subreaper or
 * init, which reaps it; the result then has code {@link ExitResult#UNKNOWN_CODE}, reason
 * {@code Unknown} and says why in {@link ExitResult#unknown()}. A daemon that must keep exit codes
 * across its own restarts records them itself, with {@link Container#onExitBeforeReap()}, while it
 * is still the parent.
 */
public final class AdoptedContainer implements AutoCloseable {
    private final ContainerRecord record;
    private final PidFd pidfd;
    private final CompletableFuture<ExitResult> exit;
    private final Runnable onClose;

    AdoptedContainer(ContainerRecord record, PidFd pidfd, CompletableFuture<ExitResult> exit, Runnable onClose) {
        this.record = record;
        this.pidfd = pidfd;
        this.exit = exit;
        this.onClose = onClose;
    }

    public String id() {
        return record.id();
    }

    public ContainerRecord record() {
        return record;
    }

    /** The identity it was adopted by: pid plus start time. */
    public ProcessIdentity identity() {
        return record.process();
    }

    /**
     * Completes when the process exits (at once if it had exited before adoption); see the class
     * comment for what the result can say. Completed on the exit watcher's dispatch thread. Each
     * call returns a new future.
     */
    public CompletableFuture<ExitResult> onExit() {
        return exit.copy();
    }

    /** Sends {@code signal} through the pidfd (never to a process that reused the pid); false once it is gone. */
    public boolean signal(int signal) {
        return pidfd != null && pidfd.signal(signal);
    }

    /** Stops watching and closes the pidfd; the container itself is not touched. */
    @Override
    public void close() {
        onClose.run();
        if (pidfd != null) {
            pidfd.close();
        }
    }
}
