package io.berth.runtime.container;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.ExitWatcher;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.TerminalMaster;

/**
 * A container created by this JVM: unlike one known only by its record, its exit status is known,
 * because this JVM is the parent of its process. Exits are learned without a thread per container:
 * the JVM's one {@link ExitWatcher} sees the process's pidfd turn readable and reaps it, and
 * {@link #onExit()} completes; {@link #waitFor()} is that future, waited for.
 */
public final class Container {
    private final RuntimeContext ctx;
    private final ContainerRecord record;
    private final ChildProcess child;
    private final Cgroup cgroup;
    private final long oomBaseline;
    /** Registered at the first question about the exit: a CLI create that never asks pays nothing. */
    private ExitWatcher.Watch watch;
    private boolean closed;
    /** Completes once the process has exited, reaped or not (see {@link #onExitBeforeReap()}). */
    private final CompletableFuture<ExitResult> exited = new CompletableFuture<>();
    /** Completes once the process has been reaped. */
    private final CompletableFuture<ExitResult> reaped = new CompletableFuture<>();
    private int gateFd;
    /** A caller asked to keep the zombie until {@link #reap()}. */
    private volatile boolean holdZombie;
    private ExitResult exit;

    Container(RuntimeContext ctx, ContainerRecord record, ChildProcess child, Cgroup cgroup, int gateFd, long oomBaseline) {
        this.ctx = ctx;
        this.record = record;
        this.child = child;
        this.cgroup = cgroup;
        this.gateFd = gateFd;
        this.oomBaseline = oomBaseline;
    }

    public String id() {
        return record.id();
    }

    public int pid() {
        return record.pid();
    }

    /** The process as pid plus start time: what a restarted daemon checks before adopting it. */
    public ProcessIdentity identity() {
        return record.process();
    }

    public ContainerRecord record() {
        return record;
    }

    /**
     * The pty master when the spec asked for a terminal and no console socket took it: this JVM
     * relays it (the console's {@code -it}, {@code berth-runtime run} in the foreground).
     */
    public Optional<TerminalMaster> terminal() {
        return child.terminal();
    }

    /** Releases the start gate and returns once the process has exec'd (or throws why it could not). */
    synchronized void start() {
        child.start();
        LibC.close(gateFd);
        gateFd = -1;
    }

    /**
     * Completes once the process has exited and been reaped, with its result as Docker reports
     * it. Completed on the exit watcher's dispatch thread (see {@link ExitWatcher#dispatcher()}):
     * attach slow work with an executor of your own, and never call {@link #waitFor()} from a
     * dependent action running there. Each call returns a new future; completing or cancelling it
     * affects nobody else.
     */
    public CompletableFuture<ExitResult> onExit() {
        watched();
        return reaped.copy();
    }

    /**
     * For a caller that must record the exit before the process disappears (a daemon persisting
     * exit codes): from now on the watcher reads the status with WNOWAIT and leaves the zombie, so
     * the pid cannot be reused, until {@link #reap()} (or delete). The returned future completes
     * with the status while the zombie is still there; {@link #onExit()} and {@link #waitFor()}
     * complete only after {@link #reap()}. If this JVM dies first, the zombie goes to the nearest
     * subreaper or init, which reaps it. Call it before the process can exit (right after create):
     * when the watcher has already reaped it, the future still completes with the exact status,
     * but the zombie is gone.
     */
    public CompletableFuture<ExitResult> onExitBeforeReap() {
        holdZombie = true;
        watched();
        return exited.copy();
    }

    /**
     * Reaps the exited process (after {@link #onExitBeforeReap()}) and returns its result; a no-op
     * returning the same result when it was reaped already. Throws if it is still running.
     */
    public ExitResult reap() {
        Optional<ExitStatus> status = child.poll();
        if (status.isEmpty()) {
            throw new ContainerException("cannot reap container " + id() + ": its process " + pid() + " is still running");
        }
        ExitResult r = result(status.get());
        complete(exited, r);
        complete(reaped, r);
        return r;
    }

    /** Blocks until the container's process exits; reports it as Docker does. */
    public ExitResult waitFor() {
        watched();
        try {
            return reaped.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Empty while still running after {@code timeout}. */
    public Optional<ExitResult> waitFor(Duration timeout) {
        watched();
        return await(reaped, timeout);
    }

    /** Waits for the exit, reaped or not: delete must not wait for a caller that holds the zombie. */
    Optional<ExitResult> awaitExited(Duration timeout) {
        watched();
        return await(exited, timeout);
    }

    void signal(int signal) {
        child.kill(signal);
    }

    /**
     * Forgets the container without touching it: for a CLI process that exits while the container
     * lives on (it is then reaped by whoever inherits it, e.g. containerd's shim as subreaper).
     */
    public void detach() {
        unwatch();
        ctx.live.remove(record.id(), this);
    }

    /** Releases this JVM's hold (fds, native memory); kills a process that was never reaped. */
    synchronized void close() {
        closed = true;
        unwatch();
        try {
            child.close();
        } finally {
            LibC.close(gateFd);
            gateFd = -1;
            Optional<ExitStatus> status = child.exitStatus();
            if (status.isPresent()) {
                ExitResult r = result(status.get());
                complete(exited, r);
                complete(reaped, r);
            } else {
                ContainerException e = new ContainerException("container " + id() + " was deleted before its exit status could be read");
                fail(exited, e);
                fail(reaped, e);
            }
        }
    }

    private synchronized void watched() {
        if (watch == null && !closed) {
            // The callback may run at once (a process killed at the gate is already gone).
            watch = ExitWatcher.shared().watch(child.pidfd(), this::processExited);
        }
    }

    private synchronized void unwatch() {
        if (watch != null) {
            watch.cancel();
        }
    }

    /** The watcher's callback: quick, never blocking (every other exit waits behind it). */
    private void processExited() {
        try {
            if (!holdZombie) {
                reap();
                return;
            }
            Optional<ExitStatus> status = child.peek();
            if (status.isPresent()) {
                complete(exited, result(status.get()));
            }
        } catch (IllegalStateException e) {
            // Closed meanwhile by delete, which completes the futures itself.
        } catch (RuntimeException e) {
            fail(exited, e);
            fail(reaped, e);
        }
    }

    private synchronized ExitResult result(ExitStatus status) {
        if (exit == null) {
            boolean oom = false;
            String unknown = null;
            try {
                oom = cgroup.oomKillCount() > oomBaseline;
            } catch (RuntimeException e) {
                // Reporting "not OOMKilled" here would be a guess; say that it is not known.
                unknown = "whether the OOM killer ended it is unknown: " + e.getMessage();
            }
            exit = new ExitResult(status.code(), status.signalName(), oom, unknown);
        }
        return exit;
    }

    private static void complete(CompletableFuture<ExitResult> f, ExitResult r) {
        if (!f.isDone()) {
            ExitWatcher.shared().dispatcher().execute(() -> f.complete(r));
        }
    }

    private static void fail(CompletableFuture<ExitResult> f, RuntimeException e) {
        if (!f.isDone()) {
            ExitWatcher.shared().dispatcher().execute(() -> f.completeExceptionally(e));
        }
    }

    static Optional<ExitResult> await(CompletableFuture<ExitResult> f, Duration timeout) {
        try {
            return Optional.of(f.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for a container's exit", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    static RuntimeException unwrap(Throwable t) {
        return t instanceof RuntimeException r ? r : new ContainerException(String.valueOf(t.getMessage()), t);
    }
}
