package io.berth.orchestrator.monitor;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.berth.runtime.container.AdoptedContainer;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerNotFoundException;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.Signals;

/**
 * Watches container processes through core-runtime's exit watcher (one epoll thread for every
 * pidfd of the JVM) and keeps every exit on disk before its zombie goes:
 * <ul>
 *   <li>this JVM's child: {@link Container#onExitBeforeReap()} gives the status while the zombie is
 *       kept; the status is written to the exit file; then {@link Container#reap()}. If the JVM dies
 *       in between, the zombie goes to berth-subreaper, which writes the same file.</li>
 *   <li>adopted ({@link ContainerRuntime#adopt}): the exit is seen through the pidfd; its code comes
 *       from the subreaper's exit file, which may lag the death by a moment
 *       ({@link #LOST_AFTER_MILLIS}); none by then means no subreaper kept it.</li>
 * </ul>
 * An own child's exit file is written and the child reaped on the watcher's dispatch thread (a
 * small file and a waitid); an adopted process's file, which may lag, is waited for on the
 * monitor's own small pool. Closing the monitor abandons the adopted watches and leaves every process running.
 */
public final class ExitMonitor implements AutoCloseable {
    /** How long an adopted process's exit file may lag its death before the exit counts as lost. */
    static final long LOST_AFTER_MILLIS = 3000;
    private final ExitFiles files;
    private final ContainerRuntime runtime;
    private final Set<ProcessWatch> watches = ConcurrentHashMap.newKeySet();
    private final ExecutorService recorder;

    public ExitMonitor(ExitFiles files, ContainerRuntime runtime) {
        this.files = files;
        this.runtime = runtime;
        AtomicInteger n = new AtomicInteger();
        this.recorder = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "exit-record-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public ExitFiles files() {
        return files;
    }

    /**
     * Starts watching runtime container {@code id}; {@code child} is the runtime's handle when this
     * JVM created the process (call this before it can exit: right after create), else null to adopt it.
     */
    public ProcessWatch watch(String id, ProcessIdentity identity, Container child) {
        ProcessWatch w;
        if (child != null) {
            w = new ProcessWatch(id, identity, runtime, null, false);
            // On the watcher's dispatch thread, which completed the future: a small file and a
            // waitid, and no hop to another thread between an exit and the pod's worker.
            child.onExitBeforeReap().thenAccept(r -> {
                ExitStatus status = status(r);
                files.write(identity, status);
                child.reap();
                w.exit.complete(Optional.of(status));
            }).exceptionally(e -> {
                w.exit.completeExceptionally(e);
                return null;
            });
        } else {
            AdoptedContainer adopted;
            try {
                adopted = runtime.adopt(id);
            } catch (ContainerNotFoundException e) {
                adopted = null; // its runtime record is gone: the process is too; its exit can only be in the file
            }
            w = new ProcessWatch(id, identity, runtime, adopted, true);
            CompletableFuture<ExitResult> seen = adopted == null
                    ? CompletableFuture.completedFuture(null) : adopted.onExit();
            AdoptedContainer a = adopted;
            seen.thenAcceptAsync(r -> {
                w.exit.complete(recorded(identity, r));
                if (a != null) {
                    a.close();
                }
            }, recorder).exceptionally(e -> {
                w.exit.completeExceptionally(e);
                return null;
            });
        }
        watches.add(w);
        w.exit.whenComplete((s, e) -> watches.remove(w));
        return w;
    }

    /** An adopted process's exit: the subreaper's file, or the code the watcher saw when this JVM is its parent. */
    private Optional<ExitStatus> recorded(ProcessIdentity identity, ExitResult seen) {
        if (seen != null && seen.codeKnown()) {
            Optional<ExitStatus> s = files.read(identity);
            return s.isPresent() ? s : Optional.of(status(seen));
        }
        long deadline = System.nanoTime() + LOST_AFTER_MILLIS * 1_000_000;
        for (;;) {
            Optional<ExitStatus> s = files.read(identity);
            if (s.isPresent() || System.nanoTime() > deadline) {
                return s;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return s;
            }
        }
    }

    /** Back from Docker's code to the wait status the exit files keep (128+N is signal N). */
    static ExitStatus status(ExitResult r) {
        return r.signal() != null ? ExitStatus.killed(Signals.number(r.signal()), false) : ExitStatus.exited(r.exitCode());
    }

    @Override
    public void close() {
        for (ProcessWatch w : watches) {
            w.abandon();
        }
        // The recorder is left to its idle timeout: a child that exits after close still has its
        // exit written and its zombie reaped, as the subreaper would after a crash.
    }
}
