package io.berth.orchestrator.monitor;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.berth.runtime.container.AdoptedContainer;
import io.berth.runtime.container.ContainerException;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;

/**
 * One container process the node watches, through core-runtime's one exit watcher (a pidfd, so
 * neither a signal nor a wait can ever reach a reused pid). Either this JVM's own child (its exit is
 * peeked with the zombie kept, written to the exit file, and only then reaped: {@link ExitMonitor})
 * or a process adopted after a restart (its parent is the previous daemon's subreaper, which writes
 * the exit file before it reaps; the watch reads that file).
 */
public final class ProcessWatch {
    private final String id;
    private final ProcessIdentity identity;
    private final ContainerRuntime runtime;
    /** Null for this JVM's own child, which is signalled through the runtime. */
    private final AdoptedContainer adopted;
    private final boolean wasAdopted;
    final CompletableFuture<Optional<ExitStatus>> exit = new CompletableFuture<>();

    ProcessWatch(String id, ProcessIdentity identity, ContainerRuntime runtime, AdoptedContainer adopted, boolean wasAdopted) {
        this.id = id;
        this.identity = identity;
        this.runtime = runtime;
        this.adopted = adopted;
        this.wasAdopted = wasAdopted;
    }

    public ProcessIdentity identity() {
        return identity;
    }

    /** Completes once the process is gone: its status, or empty when nobody could keep it (no subreaper was running). */
    public CompletableFuture<Optional<ExitStatus>> exit() {
        return exit;
    }

    public boolean adopted() {
        return wasAdopted;
    }

    /** False if it has already exited. */
    public boolean signal(int signal) {
        if (exit.isDone()) {
            return false;
        }
        if (adopted != null) {
            return adopted.signal(signal);
        }
        if (wasAdopted) {
            return false; // gone before it could be adopted
        }
        try {
            runtime.kill(id, signal, false);
            return true;
        } catch (ContainerException e) {
            return false; // exited meanwhile (its zombie may still be kept until the exit is on disk)
        }
    }

    /** Stops watching an adopted process (a closing node): it runs on and the next daemon adopts it. */
    void abandon() {
        if (adopted != null) {
            adopted.close();
        }
    }
}
