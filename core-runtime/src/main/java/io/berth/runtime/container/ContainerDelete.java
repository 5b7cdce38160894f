package io.berth.runtime.container;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.oci.Spec;

/**
 * delete: remove a stopped container's cgroup and state. A running or paused one is refused
 * unless forced; a created one is killed first, as runc does (it never ran anything of the user's).
 * Then the poststop hooks run.
 */
final class ContainerDelete {
    /** How long a SIGKILLed container may take to be gone before delete gives up. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private ContainerDelete() {
    }

    static void run(RuntimeContext ctx, String id, boolean force) {
        ContainerRecord record;
        try {
            record = ctx.record(id);
        } catch (CorruptStateException e) {
            if (!force) {
                throw e;
            }
            deleteUnreadable(ctx, id, e);
            return;
        }
        ContainerStatus status = ctx.status(record);
        if ((status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED) && !force) {
            throw new ContainerException("cannot delete container " + id + ": it is " + status.json(), ContainerException.Remedy.STOP_OR_FORCE_DELETE);
        }
        Cgroup cgroup = ctx.cgroup(record);
        Container live = ctx.live.remove(id);
        try {
            if (status != ContainerStatus.STOPPED || !cgroup.pids().isEmpty()) {
                if (status == ContainerStatus.PAUSED) {
                    cgroup.thaw();
                }
                cgroup.killAll(Signals.SIGKILL);
                awaitGone(record, cgroup, live);
            }
        } finally {
            if (live != null) {
                live.close();
            }
        }
        if (record.process().isZombieChildOfThisProcess()) {
            // Created by this JVM through another runtime instance or a CLI call made in-process:
            // we are its parent, so nobody else will ever reap it. (Checked first: binding libc
            // costs a one-shot CLI delete ~40 ms, for a waitpid that could only fail.)
            LibC.reapIfExited(record.pid());
        }
        Spec.Hooks hooks;
        try {
            hooks = ctx.store.loadHooks(id);
        } catch (RuntimeException e) {
            // A damaged hooks.json must not make the container undeletable.
            ctx.warnings.accept("container " + id + ": poststop hooks not run: " + e.getMessage());
            hooks = null;
        }
        cgroup.destroy();
        ctx.releaseCgroupParent(record.cgroupsPath());
        ctx.store.remove(id);
        if (hooks != null) {
            // After the container's resources are gone; a failure is a warning (runtime.md).
            HookRunner.runOrWarn("poststop", hooks.poststop(), ctx.state(record, ContainerStatus.STOPPED),
                    Path.of(record.bundle()), ctx.warnings);
        }
    }

    /**
     * A forced delete of a container whose state.json cannot be read: its pid, cgroupsPath and
     * hooks are unknown, so what can be found by its id goes (the cgroup {@code <parent>/<id>}, with
     * every process in it, and the state directory) and the rest is said in a warning.
     */
    private static void deleteUnreadable(RuntimeContext ctx, String id, CorruptStateException why) {
        String cgroupsPath = ctx.defaultCgroupsPath(id);
        Cgroup cgroup = ctx.cgroup(cgroupsPath);
        cgroup.killAll(Signals.SIGKILL);
        Instant deadline = Instant.now().plus(KILL_TIMEOUT);
        while (!cgroup.pids().isEmpty() && Instant.now().isBefore(deadline)) {
            sleep(id);
        }
        cgroup.destroy();
        ctx.releaseCgroupParent(cgroupsPath);
        ctx.store.remove(id);
        ctx.warnings.accept(why.problem() + ": removed its state and its cgroup " + cgroupsPath
                + "; its poststop hooks did not run, and a process or cgroup outside " + cgroupsPath + " was not touched");
    }

    private static void sleep(String id) {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while deleting " + id, e);
        }
    }

    private static void awaitGone(ContainerRecord record, Cgroup cgroup, Container live) {
        Instant deadline = Instant.now().plus(KILL_TIMEOUT);
        if (live != null) {
            live.awaitExited(KILL_TIMEOUT);
        }
        while (record.process().isAlive() || !cgroup.pids().isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new ContainerException("container " + record.id() + " did not die within " + KILL_TIMEOUT.toSeconds()
                        + "s of SIGKILL (processes " + cgroup.pids() + ")", ContainerException.Remedy.FORCE_DELETE_AGAIN);
            }
            sleep(record.id());
        }
    }
}
