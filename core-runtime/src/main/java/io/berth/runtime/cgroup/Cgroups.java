package io.berth.runtime.cgroup;

import io.berth.runtime.cgroup.v1.V1Cgroup;
import io.berth.runtime.cgroup.v2.V2Cgroup;

/** Entry point: opens a container's cgroup on the host's (or a given) cgroup layout. */
public final class Cgroups {
    /** Parent of every Berth container's cgroup; the one place this fact lives. */
    public static final String ROOT = "/berth";

    private Cgroups() {
    }

    /** Opens {@code cgroupsPath} on the layout of this host, read from /proc/self/mountinfo. */
    public static Cgroup open(String cgroupsPath) {
        return open(cgroupsPath, CgroupFs.detect());
    }

    /**
     * Opens an OCI cgroupsPath: absolute ("/berth/ID") is relative to each hierarchy's root;
     * relative ("berth/ID") is under this process's own cgroup, as runc does. Nothing is created.
     */
    public static Cgroup open(String cgroupsPath, CgroupFs fs) {
        checkPath(cgroupsPath);
        return switch (fs.version()) {
            case V1 -> new V1Cgroup(cgroupsPath, fs);
            case V2 -> new V2Cgroup(cgroupsPath, fs);
        };
    }

    /** The cgroupsPath of a container: "/berth/ID". */
    public static String defaultPath(String containerId) {
        if (containerId == null || containerId.isEmpty() || containerId.contains("/") || containerId.equals(".")
                || containerId.equals("..")) {
            throw new IllegalArgumentException("container id must be a non-empty name without '/', got \"" + containerId + "\"");
        }
        return ROOT + "/" + containerId;
    }

    private static void checkPath(String cgroupsPath) {
        String rule = "cgroupsPath must name a cgroup below the root, like \"/berth/ID\" (no \".\" or \"..\" parts)";
        if (cgroupsPath == null || cgroupsPath.isBlank() || cgroupsPath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(rule + ", got \"" + cgroupsPath + "\"");
        }
        boolean any = false;
        for (String part : cgroupsPath.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(rule + ", got \"" + cgroupsPath + "\"");
            }
            any |= !part.isEmpty();
        }
        if (!any) {
            throw new IllegalArgumentException(rule + ", got \"" + cgroupsPath + "\" (the root itself)");
        }
    }
}
