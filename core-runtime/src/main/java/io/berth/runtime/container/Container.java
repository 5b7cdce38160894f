package io.berth.runtime.container;

import java.time.Duration;
import java.util.Optional;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.TerminalMaster;

/**
 * A container created by this JVM: unlike one known only by its record, its exit status can be
 * waited for, because this JVM is the parent of its process.
 */
public final class Container {
    private final RuntimeContext ctx;
    private final ContainerRecord record;
    private final ChildProcess child;
    private final Cgroup cgroup;
    private final long oomBaseline;
    private int gateFd;
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

    /** Blocks until the container's process exits; reports it as Docker does. */
    public ExitResult waitFor() {
        return result(child.waitFor());
    }

    /** Empty while still running after {@code timeout}. */
    public Optional<ExitResult> waitFor(Duration timeout) {
        return child.waitFor(timeout).map(this::result);
    }

    void signal(int signal) {
        child.kill(signal);
    }

    /**
     * Forgets the container without touching it: for a CLI process that exits while the container
     * lives on (it is then reaped by whoever inherits it, e.g. containerd's shim as subreaper).
     */
    public void detach() {
        ctx.live.remove(record.id(), this);
    }

    /** Releases this JVM's hold (fds, native memory); kills a process that was never reaped. */
    synchronized void close() {
        child.close();
        LibC.close(gateFd);
        gateFd = -1;
    }

    private synchronized ExitResult result(ExitStatus status) {
        if (exit == null) {
            boolean oom;
            try {
                oom = cgroup.oomKillCount() > oomBaseline;
            } catch (RuntimeException e) {
                oom = false;
            }
            exit = new ExitResult(status.code(), status.signalName(), oom);
        }
        return exit;
    }
}
