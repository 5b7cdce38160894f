package io.berth.runtime.container;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.ExitWatcher;

/**
 * A process exec'd into a running container by this JVM, which can wait for it. Its exit is
 * learned by the JVM's one {@link ExitWatcher}, as a container's is: many probes need no thread each.
 */
public final class ExecProcess implements AutoCloseable {
    private final ChildProcess child;
    private final CompletableFuture<ExitResult> reaped = new CompletableFuture<>();
    /** Registered at the first question about the exit: a CLI exec that never asks pays nothing. */
    private ExitWatcher.Watch watch;
    private boolean closed;

    ExecProcess(ChildProcess child) {
        this.child = child;
    }

    /** The process's pid in the host's PID namespace. */
    public int pid() {
        return child.pid();
    }

    /**
     * Completes once the process has exited and been reaped; on the exit watcher's dispatch thread
     * (attach slow work with an executor of your own). Each call returns a new future.
     */
    public CompletableFuture<ExitResult> onExit() {
        watched();
        return reaped.copy();
    }

    public ExitResult waitFor() {
        watched();
        try {
            return reaped.join();
        } catch (CompletionException e) {
            throw Container.unwrap(e.getCause());
        }
    }

    public Optional<ExitResult> waitFor(Duration timeout) {
        watched();
        return Container.await(reaped, timeout);
    }

    /** The pty master when the process asked for a terminal and no console socket took it. */
    public Optional<io.berth.runtime.linux.TerminalMaster> terminal() {
        return child.terminal();
    }

    public void kill(int signal) {
        child.kill(signal);
    }

    /** Kills a process that was never waited for and releases fds. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (watch != null) {
                watch.cancel();
            }
        }
        child.close();
        Optional<ExitStatus> s = child.exitStatus();
        if (s.isPresent()) {
            complete(result(s.get()));
        }
    }

    private synchronized void watched() {
        if (watch == null && !closed) {
            watch = ExitWatcher.shared().watch(child.pidfd(), this::processExited);
        }
    }

    private void processExited() {
        try {
            child.poll().ifPresent(s -> complete(result(s)));
        } catch (IllegalStateException e) {
            // Closed meanwhile; close() completes the future.
        }
    }

    private void complete(ExitResult r) {
        if (!reaped.isDone()) {
            ExitWatcher.shared().dispatcher().execute(() -> reaped.complete(r));
        }
    }

    private static ExitResult result(ExitStatus s) {
        return new ExitResult(s.code(), s.signalName(), false);
    }
}
