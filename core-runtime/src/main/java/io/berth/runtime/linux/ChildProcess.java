package io.berth.runtime.linux;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A child cloned by {@link Launcher}. Its life: created (blocked before setup) →
 * {@link #proceed()} (setup runs; returns at the start gate, or once exec'd without a gate) →
 * {@link #start()} (exec confirmed) → {@link #waitFor()} (reaped exactly once, through the pidfd so
 * a reused pid is never signalled or reaped) → {@link #close()}.
 *
 * <p>Thread-safety: {@link #kill(int)} works from any thread at any time, also while another thread
 * is blocked in {@link #proceed()} or {@link #waitFor()} (that is how a child stuck in setup is
 * ended); {@link #poll()} and {@link #waitFor()} may run concurrently. Close only after waiters
 * have returned.
 */
public final class ChildProcess implements AutoCloseable {
    private enum State { CREATED, AT_GATE, RUNNING, FAILED }

    private final NativeLibrary nl;
    private final List<ChildOp> program;
    private final String argv0;
    /** The child, or after a PID-namespace join the grandchild that replaced it (see readReport). */
    private volatile int pid;
    private volatile int pidfd;
    private final int reportFd;
    private int goFd;
    private int gateWriteFd;
    private final int callerGateFd;
    /** Our end of the library's console socketpair (-1: none); the master arrives on it during setup. */
    private int consoleFd;
    private TerminalMaster terminal;
    private NativePlan plan;
    private State state = State.CREATED;
    /** Guards the pidfd's lifetime only, so kill() never waits behind a blocked proceed(). */
    private final Object pidfdLock = new Object();
    private volatile ExitStatus exit;
    private volatile boolean closed;

    ChildProcess(NativeLibrary nl, NativePlan plan, List<ChildOp> program, String argv0, int pid, int pidfd,
            int reportFd, int goFd, int gateWriteFd, int callerGateFd, int consoleFd) {
        this.nl = nl;
        this.plan = plan;
        this.program = program;
        this.argv0 = argv0;
        this.pid = pid;
        this.pidfd = pidfd;
        this.reportFd = reportFd;
        this.goFd = goFd;
        this.gateWriteFd = gateWriteFd;
        this.callerGateFd = callerGateFd;
        this.consoleFd = consoleFd;
    }

    public int pid() {
        return pid;
    }

    /** A pidfd for this child (owned by this object, closed by {@link #close()}). */
    public int pidfd() {
        return pidfd;
    }

    /**
     * The pty master of a plan launched with {@link LaunchPlan#CONSOLE_PAIR}, present once
     * {@link #proceed()} returned; owned by this object and closed by {@link #close()}. Empty for a
     * plan without a terminal or whose master went to a caller's console socket.
     */
    public synchronized Optional<TerminalMaster> terminal() {
        return Optional.ofNullable(terminal);
    }

    /**
     * Says "go" (after the caller put {@link #pid()} into cgroups or wrote id maps) and blocks until
     * setup is done: returns when the child waits at the start gate, or has exec'd when there is no
     * gate. A failed step throws {@link ChildSetupException}; the child is then reaped.
     */
    public synchronized void proceed() {
        checkOpen();
        if (state != State.CREATED) {
            throw new IllegalStateException("proceed() was already called (state " + state + ")");
        }
        byte[] go = {1};
        nl.lib.berth_write(goFd, go, 1);
        nl.lib.berth_close(goFd);
        goFd = -1;
        int[] report = readReport();
        if (report == null) {
            state = State.FAILED;
            throw diedDuringSetup("setup");
        }
        if (report[0] != PlanLayout.STEP_READY) {
            throw failed(report);
        }
        state = State.AT_GATE;
        if (consoleFd >= 0) {
            // The child queued the master before it wrote READY, so it is there now; not waiting at all
            // means a plan that somehow sent none fails here instead of hanging.
            try {
                terminal = Console.receive(consoleFd, Duration.ZERO);
            } catch (RuntimeException e) {
                // A process whose terminal went nowhere must not run.
                state = State.FAILED;
                nl.lib.berth_pidfd_kill(pidfd, Signals.SIGKILL);
                reap(false);
                throw e;
            } finally {
                nl.lib.berth_close(consoleFd);
                consoleFd = -1;
            }
        }
        if (!hasGate()) {
            confirmExec();
        }
    }

    /**
     * Releases the start gate and returns once execve succeeded; throws ChildSetupException if it
     * failed. With a caller's O_RDWR FIFO as gate the byte is written into that FIFO.
     */
    public synchronized void start() {
        checkOpen();
        if (state == State.RUNNING) {
            return;
        }
        if (state != State.AT_GATE) {
            throw new IllegalStateException(state == State.CREATED ? "call proceed() before start()"
                    : "the child failed during setup; it cannot be started");
        }
        int fd = gateWriteFd >= 0 ? gateWriteFd : callerGateFd;
        long w = nl.lib.berth_write(fd, new byte[] {1}, 1);
        if (gateWriteFd >= 0) {
            nl.lib.berth_close(gateWriteFd);
            gateWriteFd = -1;
        }
        if (w < 0) {
            throw new ChildSetupException("start", (int) -w, "start: cannot release the start gate: "
                    + nl.strerror((int) -w));
        }
        confirmExec();
    }

    /** After READY: EOF on the CLOEXEC pipe means execve succeeded; anything else is its error. */
    private void confirmExec() {
        int[] report = readReport();
        if (report != null) {
            throw failed(report);
        }
        state = State.RUNNING;
        // After execve the child has its own address space: the plan and stack are ours again.
        freePlan();
    }

    /** Blocks until the child exits and reaps it (once; later calls return the same status). */
    public ExitStatus waitFor() {
        for (;;) {
            synchronized (this) {
                checkOpen();
                if (exit != null) {
                    return exit;
                }
            }
            long r = nl.lib.berth_pidfd_poll(pidfd, -1);
            if (r < 0) {
                throw new IllegalStateException("poll on pidfd of " + pid + ": " + nl.strerror((int) -r));
            }
            Optional<ExitStatus> s = poll();
            if (s.isPresent()) {
                return s.get();
            }
        }
    }

    /** Waits at most {@code timeout}; empty if the child is still running. */
    public Optional<ExitStatus> waitFor(Duration timeout) {
        synchronized (this) {
            checkOpen();
            if (exit != null) {
                return Optional.of(exit);
            }
        }
        long r = nl.lib.berth_pidfd_poll(pidfd, (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
        if (r < 0) {
            throw new IllegalStateException("poll on pidfd of " + pid + ": " + nl.strerror((int) -r));
        }
        return poll();
    }

    /** Reaps the child if it has exited; never blocks. */
    public synchronized Optional<ExitStatus> poll() {
        checkOpen();
        if (exit == null) {
            reap(true);
        }
        return Optional.ofNullable(exit);
    }

    /** Sends {@code signal} (see {@link Signals}); a no-op once the child has been reaped. */
    public void kill(int signal) {
        synchronized (pidfdLock) {
            checkOpen();
            if (exit != null) {
                return;
            }
            // Through the pidfd: if the child is already dead this is ESRCH, never another process.
            long r = nl.lib.berth_pidfd_kill(pidfd, signal);
            if (r < 0 && r != -Errno.ESRCH) {
                throw new IllegalStateException("kill " + Signals.name(signal) + " " + pid + ": " + nl.strerror((int) -r));
            }
        }
    }

    /** Releases fds and native memory; a child that was never reaped is killed and reaped first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (exit == null) {
                nl.lib.berth_pidfd_kill(pidfd, Signals.SIGKILL);
                reap(false);
            }
        } finally {
            synchronized (pidfdLock) {
                closed = true;
                for (int fd : new int[] {reportFd, goFd, gateWriteFd, consoleFd, pidfd}) {
                    if (fd >= 0) {
                        nl.lib.berth_close(fd);
                    }
                }
            }
            goFd = -1;
            gateWriteFd = -1;
            consoleFd = -1;
            if (terminal != null) {
                terminal.close();
            }
            freePlan();
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid=" + pid + ", " + (exit != null ? exit : state) + "]";
    }

    private boolean hasGate() {
        return callerGateFd != LaunchPlan.NO_GATE;
    }

    private void freePlan() {
        if (plan != null) {
            plan.free();
            plan = null;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("child " + pid + " was closed");
        }
    }

    /** {step, errno}, or null on EOF (exec happened, or the child died without a word). */
    private int[] readReport() {
        for (;;) {
            int[] r = readRecord();
            if (r == null || r[0] != PlanLayout.STEP_CHILD_PID) {
                return r;
            }
            followGrandchild(r[1]);
        }
    }

    /**
     * The child forked into a joined PID namespace (CLONE_PARENT: the grandchild is our child too)
     * and exits; from now on this object is the grandchild. The intermediate is reaped here.
     */
    private void followGrandchild(int newPid) {
        long fd = nl.lib.berth_pidfd_open(newPid);
        int[] out = new int[2];
        nl.lib.berth_pidfd_reap(pidfd, 0, out);
        if (fd < 0) {
            throw new IllegalStateException("pidfd_open " + newPid + ": " + nl.strerror((int) -fd));
        }
        synchronized (pidfdLock) {
            nl.lib.berth_close(pidfd);
            pidfd = (int) fd;
            pid = newPid;
        }
    }

    private int[] readRecord() {
        byte[] buf = new byte[8];
        int got = 0;
        while (got < 8) {
            byte[] part = new byte[8 - got];
            long r = nl.lib.berth_read(reportFd, part, part.length);
            if (r < 0) {
                throw new IllegalStateException("read from child " + pid + ": " + nl.strerror((int) -r));
            }
            if (r == 0) {
                if (got == 0) {
                    return null;
                }
                throw new IllegalStateException("child " + pid + " sent a truncated report");
            }
            System.arraycopy(part, 0, buf, got, (int) r);
            got += (int) r;
        }
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder());
        return new int[] {bb.getInt(0), bb.getInt(4)};
    }

    /** Turns a report into the exception, after reaping the child that sent it. */
    private ChildSetupException failed(int[] report) {
        state = State.FAILED;
        int step = report[0];
        int errno = report[1];
        reap(false);
        String name;
        String hint = null;
        if (step >= 0 && step < program.size()) {
            ChildOp op = program.get(step);
            name = op.step();
            hint = op.hint(errno);
        } else if (step == PlanLayout.STEP_EXEC) {
            name = "execve " + argv0;
        } else if (step == PlanLayout.STEP_STDIO) {
            name = "set up stdio";
        } else if (step == PlanLayout.STEP_GATE) {
            name = "wait at the start gate";
        } else if (step == PlanLayout.STEP_SIGNALS) {
            name = "reset signals";
        } else if (step == PlanLayout.STEP_DUMPABLE) {
            name = "make the launcher non-dumpable";
        } else {
            name = "step " + step;
        }
        String message = name + ": " + nl.strerror(errno) + (hint != null ? " (" + hint + ")" : "");
        return new ChildSetupException(name, errno, message);
    }

    private ChildSetupException diedDuringSetup(String step) {
        reap(false);
        return new ChildSetupException(step, 0, "child " + pid + " died during " + step + " without a report ("
                + exit + ")");
    }

    private void reap(boolean nohang) {
        int[] out = new int[2];
        long r = nl.lib.berth_pidfd_reap(pidfd, nohang ? 1 : 0, out);
        if (r < 0) {
            throw new IllegalStateException("waitid on child " + pid + ": " + nl.strerror((int) -r));
        }
        if (r == 0) {
            return;
        }
        // si_code: CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3.
        exit = out[0] == 1 ? ExitStatus.exited(out[1]) : ExitStatus.killed(out[1], out[0] == 3);
        freePlan();
    }
}
