package io.berth.orchestrator.monitor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.berth.runtime.container.Container;
import io.berth.runtime.container.ProcessIdentity;

/**
 * Watches container processes, one small thread each, blocked in poll(2) on the pidfd: an exit
 * wakes its thread at once, which is what keeps the exit-to-restart reaction short. Closing the
 * monitor abandons the watches and leaves the processes running.
 */
public final class ExitMonitor implements AutoCloseable {
    /** How long an adopted process's exit file may lag its death before the exit counts as lost. */
    static final long LOST_AFTER_MILLIS = 3000;
    private final ExitFiles files;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<ProcessWatch> watches = ConcurrentHashMap.newKeySet();

    public ExitMonitor(ExitFiles files) {
        this.files = files;
    }

    public ExitFiles files() {
        return files;
    }

    /** Starts watching; {@code child} is the runtime's handle when this JVM created the process, else null. */
    public ProcessWatch watch(String name, ProcessIdentity identity, Container child) {
        ProcessWatch w = ProcessWatch.open(identity, child);
        watches.add(w);
        Thread t = new Thread(() -> {
            try {
                w.run(files, closed::get, LOST_AFTER_MILLIS);
            } finally {
                watches.remove(w);
            }
        }, "exit-" + name);
        t.setDaemon(true);
        t.start();
        return w;
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
