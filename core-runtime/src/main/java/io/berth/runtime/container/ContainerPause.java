package io.berth.runtime.container;

import io.berth.runtime.cgroup.Cgroup;

/** pause and resume: freeze and thaw every process of a running container through its freezer cgroup. */
final class ContainerPause {
    private ContainerPause() {
    }

    static void pause(RuntimeContext ctx, String id) {
        ContainerRecord record = ctx.record(id);
        ContainerStatus status = ctx.status(record);
        if (status != ContainerStatus.RUNNING) {
            throw new ContainerException("cannot pause container " + id + ": it is " + status.json() + ", not running");
        }
        ctx.cgroup(record).freeze();
    }

    static void resume(RuntimeContext ctx, String id) {
        ContainerRecord record = ctx.record(id);
        ContainerStatus status = ctx.status(record);
        if (status != ContainerStatus.PAUSED) {
            throw new ContainerException("cannot resume container " + id + ": it is " + status.json() + ", not paused");
        }
        Cgroup cgroup = ctx.cgroup(record);
        cgroup.thaw();
    }
}
