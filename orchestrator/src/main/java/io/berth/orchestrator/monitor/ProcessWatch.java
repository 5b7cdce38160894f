package io.berth.orchestrator.monitor;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;

/**
 * One container process the node watches, by pidfd (so neither a signal nor a wait can ever reach
 * a reused pid). Either this JVM's own child ({@code child} set: its exit is peeked with
 * waitid(WNOWAIT), written to the exit file, and only then reaped) or a process adopted after a
 * restart (its parent is the previous daemon's subreaper, which writes the exit file before it
 * reaps; the watch reads that file).
 */
public final class ProcessWatch {
    private final ProcessIdentity identity;
    private final Container child;
    private final Object fdLock = new Object();
    private int pidfd;
    private final CompletableFuture<Optional<ExitStatus>> exit = new CompletableFuture<>();

    private ProcessWatch(ProcessIdentity identity, Container child, int pidfd) {
        this.identity = identity;
        this.child = child;
        this.pidfd = pidfd;
    }

    /**
     * A watch on {@code identity}; if that process no longer exists (or its pid now names another),
     * the watch has no pidfd and its exit comes from the exit file alone.
     */
    public static ProcessWatch open(ProcessIdentity identity, Container child) {
        int fd = Sys.pidfdOpen(identity.pid());
        // Checked after the open: if the start time still matches now, the pidfd names the container.
        if (fd >= 0 && !identity.equals(ProcessIdentity.of(identity.pid())) && child == null) {
            Sys.close(fd);
            fd = -1;
        }
        return new ProcessWatch(identity, child, fd);
    }

    public ProcessIdentity identity() {
        return identity;
    }

    /** Completes once the process is gone: its status, or empty when nobody could keep it (no subreaper was running). */
    public CompletableFuture<Optional<ExitStatus>> exit() {
        return exit;
    }

    public boolean adopted() {
        return child == null;
    }

    /** False if it has already exited. */
    public boolean signal(int signal) {
        synchronized (fdLock) {
            if (pidfd < 0 || exit.isDone()) {
                return false;
            }
            return Sys.pidfdKill(pidfd, signal);
        }
    }

    /**
     * The watching thread's body: blocks until the exit and completes {@link #exit()}; returns
     * early, leaving the future open, when {@code stopping} says the node is closing (the
     * container keeps running and the next daemon adopts it).
     */
    void run(ExitFiles files, java.util.function.BooleanSupplier stopping, long lostAfterMillis) {
        try {
            if (pidfd >= 0) {
                while (!Sys.pidfdPoll(pidfd, 500)) {
                    if (stopping.getAsBoolean()) {
                        return;
                    }
                }
            }
            if (child != null) {
                int[] w = Sys.waitid(pidfd, false);
                if (w == null) {
                    throw new IllegalStateException("pidfd of " + identity.pid() + " was readable but waitid saw no exit");
                }
                ExitStatus status = ExitFiles.fromSiginfo(w[0], w[1]);
                // Persist before reaping: if this JVM dies between the two, the zombie goes to the
                // subreaper, which writes the same file.
                files.write(identity, status);
                child.waitFor();
                exit.complete(Optional.of(status));
                return;
            }
            long deadline = System.nanoTime() + lostAfterMillis * 1_000_000;
            for (;;) {
                Optional<ExitStatus> s = files.read(identity);
                if (s.isPresent() || System.nanoTime() > deadline) {
                    exit.complete(s);
                    return;
                }
                if (stopping.getAsBoolean()) {
                    return;
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            exit.completeExceptionally(e);
        } finally {
            // Exited, or abandoned by a closing node (the process runs on; the next daemon opens its own).
            synchronized (fdLock) {
                Sys.close(pidfd);
                pidfd = -1;
            }
        }
    }
}
