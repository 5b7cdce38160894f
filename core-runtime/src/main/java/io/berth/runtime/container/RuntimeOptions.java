package io.berth.runtime.container;

import java.nio.file.Path;

import io.berth.runtime.cgroup.Cgroups;

/**
 * How a {@link ContainerRuntime} is set up. {@code cgroupParent} is where containers whose spec
 * names no cgroupsPath get their cgroup ({@code <parent>/<id>}); tests give each run its own.
 * {@code detachedLaunch} clones fork-style instead of sharing the JVM's memory: for a CLI process
 * that exits while the container waits for start, so the container pins none of its memory.
 */
public record RuntimeOptions(Path stateRoot, String cgroupParent, boolean detachedLaunch) {
    public static final String DEFAULT_CGROUP_PARENT = Cgroups.ROOT;

    public RuntimeOptions {
        if (!cgroupParent.startsWith("/")) {
            throw new IllegalArgumentException("cgroup parent '" + cgroupParent + "' must be absolute, like /berth");
        }
    }

    public static RuntimeOptions defaults(Path stateRoot) {
        return new RuntimeOptions(stateRoot, DEFAULT_CGROUP_PARENT, false);
    }

    public RuntimeOptions withDetachedLaunch(boolean detached) {
        return new RuntimeOptions(stateRoot, cgroupParent, detached);
    }

    public RuntimeOptions withCgroupParent(String parent) {
        return new RuntimeOptions(stateRoot, parent, detachedLaunch);
    }
}
