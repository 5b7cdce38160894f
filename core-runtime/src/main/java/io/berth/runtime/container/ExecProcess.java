package io.berth.runtime.container;

import java.time.Duration;
import java.util.Optional;

import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ExitStatus;

/** A process exec'd into a running container by this JVM, which can wait for it. */
public final class ExecProcess implements AutoCloseable {
    private final ChildProcess child;

    ExecProcess(ChildProcess child) {
        this.child = child;
    }

    /** The process's pid in the host's PID namespace. */
    public int pid() {
        return child.pid();
    }

    public ExitResult waitFor() {
        return result(child.waitFor());
    }

    public Optional<ExitResult> waitFor(Duration timeout) {
        return child.waitFor(timeout).map(ExecProcess::result);
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
        child.close();
    }

    private static ExitResult result(ExitStatus s) {
        return new ExitResult(s.code(), s.signalName(), false);
    }
}
