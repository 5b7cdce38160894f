package io.berth.runtime.container;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.ExitWatcher;
import io.berth.runtime.linux.PidFd;

/**
 * adopt: watch a container another process created (or this JVM before a restart) by its record's
 * pid and start time. The pidfd is opened first and the identity checked after: if the process
 * at that pid still has the recorded start time then, it was the container's when the pidfd was
 * opened too, so a reused pid is never watched.
 */
final class ContainerAdopt {
    private ContainerAdopt() {
    }

    static AdoptedContainer run(RuntimeContext ctx, String id) {
        if (ctx.live.containsKey(id)) {
            throw new ContainerException("container " + id + " was created by this runtime: use the Container that create returned"
                    + " (its onExit() reports the exit code too)");
        }
        ContainerRecord record = ctx.store.load(id);
        ProcessIdentity identity = record.process();
        Cgroup cgroup = ctx.cgroup(record);
        Optional<PidFd> opened = PidFd.open(identity.pid());
        PidFd pidfd = opened.orElse(null);
        if (pidfd != null && !identity.exists()) {
            pidfd.close(); // the pid now names another process
            pidfd = null;
        }
        CompletableFuture<ExitResult> exit = new CompletableFuture<>();
        if (pidfd == null) {
            exit.complete(result(Optional.empty(), cgroup, 0, identity,
                    "its process " + identity.pid() + " had exited before it was adopted, and its status went to its parent"));
            return new AdoptedContainer(record, null, exit, () -> { });
        }
        long baseline;
        try {
            baseline = cgroup.oomKillCount();
        } catch (RuntimeException e) {
            baseline = -1; // unreadable now: the exit will say that OOM is unknown
        }
        long oomBaseline = baseline;
        PidFd fd = pidfd;
        ExitWatcher watcher = ExitWatcher.shared();
        ExitWatcher.Watch watch = watcher.watch(fd.fd(), () -> {
            ExitResult r;
            try {
                r = result(fd.peekStatus(), cgroup, oomBaseline, identity,
                        "process " + identity.pid() + " is not a child of this process, so its exit status went to its parent");
            } catch (RuntimeException e) {
                watcher.dispatcher().execute(() -> exit.completeExceptionally(e));
                return;
            }
            watcher.dispatcher().execute(() -> exit.complete(r));
        });
        return new AdoptedContainer(record, fd, exit, watch::cancel);
    }

    /** {@code baseline} -1: the OOM counter could not be read at adoption. */
    private static ExitResult result(Optional<ExitStatus> status, Cgroup cgroup, long baseline, ProcessIdentity identity,
            String whyNoCode) {
        boolean oom = false;
        String unknown = null;
        try {
            long now = cgroup.oomKillCount();
            if (baseline < 0) {
                unknown = "whether the OOM killer ended it is unknown: its cgroup's OOM counter could not be read at adoption";
            } else {
                oom = now > baseline;
            }
        } catch (RuntimeException e) {
            unknown = "whether the OOM killer ended it is unknown: " + e.getMessage();
        }
        if (status.isPresent()) {
            return new ExitResult(status.get().code(), status.get().signalName(), oom, unknown);
        }
        return ExitResult.unknownCode(oom, unknown == null ? whyNoCode : whyNoCode + "; " + unknown);
    }
}
