package io.berth.runtime.container;

import io.berth.runtime.linux.LibC;

/** kill: a signal to the container's init process, or with {@code all} to every process in its cgroup. */
final class ContainerKill {
    private ContainerKill() {
    }

    static void run(RuntimeContext ctx, String id, int signal, boolean all) {
        ContainerRecord record = ctx.record(id);
        if (all) {
            ctx.cgroup(record).killAll(signal);
            return;
        }
        ContainerStatus status = ctx.status(record);
        if (status == ContainerStatus.STOPPED) {
            throw new ContainerException("container " + id + " is not running");
        }
        Container live = ctx.live.get(id);
        if (live != null) {
            live.signal(signal);
        } else if (!LibC.kill(record.pid(), signal)) {
            throw new ContainerException("container " + id + " is not running");
        }
    }
}
