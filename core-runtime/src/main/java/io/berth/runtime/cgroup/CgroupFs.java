package io.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the cgroup hierarchies are: v1 (one mount per controller, or per group of co-mounted
 * controllers) or v2 (one unified mount), plus where this process itself sits in each, which a
 * relative cgroupsPath is resolved against.
 *
 * <p>A hybrid host (v1 controllers plus a v2 mount at /sys/fs/cgroup/unified, as here) counts as
 * v1: the controllers that limit containers are the v1 ones.
 */
public final class CgroupFs {
    public enum Version { V1, V2 }

    /** The v1 controllers the kernel can mount; other options on a cgroup mount are flags. */
    private static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
            "freezer", "net_cls", "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc");

    private final Version version;
    private final Map<String, Path> v1Mounts;
    private final Path v2Root;
    /** Mount point -> this process's cgroup relative to that mount, "/" when at its root. */
    private final Map<Path, String> ownCgroups;
    private final CgroupFiles files;

    private CgroupFs(Version version, Map<String, Path> v1Mounts, Path v2Root, Map<Path, String> ownCgroups,
            boolean plainFiles) {
        this.version = version;
        this.v1Mounts = Collections.unmodifiableMap(new LinkedHashMap<>(v1Mounts));
        this.v2Root = v2Root;
        this.ownCgroups = Map.copyOf(ownCgroups);
        this.files = new CgroupFiles(plainFiles);
    }

    /** The host's layout, from /proc/self/mountinfo and /proc/self/cgroup. */
    public static CgroupFs detect() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")), Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new CgroupException("cannot read /proc/self/mountinfo or /proc/self/cgroup: " + e.getMessage(), e);
        }
    }

    /** A v2 hierarchy rooted at {@code root}: a real cgroup2 mount, or a test tree of ordinary files. */
    public static CgroupFs v2(Path root) {
        return new CgroupFs(Version.V2, Map.of(), root, Map.of(), !isCgroupFs(root));
    }

    /** v1 hierarchies, controller name ("memory", "name=systemd") to its mount point. */
    public static CgroupFs v1(Map<String, Path> mounts) {
        if (mounts.isEmpty()) {
            throw new IllegalArgumentException("a v1 layout needs at least one controller mount");
        }
        boolean plain = mounts.values().stream().anyMatch(p -> !isCgroupFs(p));
        return new CgroupFs(Version.V1, mounts, null, Map.of(), plain);
    }

    static CgroupFs parse(String mountinfo, String selfCgroup) {
        Map<String, Path> v1 = new LinkedHashMap<>();
        Map<Path, String> mountRoots = new HashMap<>();
        Map<String, Path> controllerMount = new HashMap<>();
        Path v2 = null;
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(left[4]));
            String root = unescape(left[3]);
            if (right[0].equals("cgroup")) {
                for (String opt : right[2].split(",")) {
                    if ((V1_CONTROLLERS.contains(opt) || opt.startsWith("name=")) && !v1.containsKey(opt)) {
                        v1.put(opt, mountPoint);
                        controllerMount.put(opt, mountPoint);
                        mountRoots.put(mountPoint, root);
                    }
                }
            } else if (right[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
                mountRoots.put(mountPoint, root);
                controllerMount.put("", mountPoint);
            }
        }
        boolean hasV1Controller = v1.keySet().stream().anyMatch(V1_CONTROLLERS::contains);
        if (!hasV1Controller && v2 == null) {
            throw new CgroupException("no cgroup filesystem is mounted (expected cgroup or cgroup2 mounts under /sys/fs/cgroup)");
        }
        // /proc/self/cgroup: "4:memory:/a/b", "1:cpu,cpuacct:/", "0::/a" (v2).
        Map<Path, String> own = new HashMap<>();
        for (String line : selfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            for (String controller : f[1].split(",")) {
                Path mount = controllerMount.get(controller);
                if (mount != null) {
                    own.put(mount, relativeToMount(f[2], mountRoots.get(mount)));
                }
            }
        }
        if (hasV1Controller) {
            return new CgroupFs(Version.V1, v1, null, own, false);
        }
        return new CgroupFs(Version.V2, Map.of(), v2, own, false);
    }

    public Version version() {
        return version;
    }

    /** v1 only: controller name to mount point, in mountinfo order. */
    public Map<String, Path> v1Mounts() {
        return v1Mounts;
    }

    /** v1 only: each hierarchy once, even when controllers are co-mounted ("cpu,cpuacct"). */
    public List<Path> v1Hierarchies() {
        return List.copyOf(new LinkedHashSet<>(v1Mounts.values()));
    }

    /** v2 only: the unified mount. */
    public Path v2Root() {
        return v2Root;
    }

    public CgroupFiles files() {
        return files;
    }

    /** The directory of {@code cgroupsPath} in the hierarchy mounted at {@code mount}. */
    public Path resolve(Path mount, String cgroupsPath) {
        Path base = mount;
        if (!cgroupsPath.startsWith("/")) {
            String own = ownCgroups.getOrDefault(mount, "/");
            base = mount.resolve(own.substring(1));
        }
        String relative = cgroupsPath.replaceAll("^/+", "");
        return base.resolve(relative).normalize();
    }

    private static String relativeToMount(String path, String mountRoot) {
        if (mountRoot == null || mountRoot.equals("/")) {
            return path;
        }
        // Inside a cgroup namespace or with a bind-mounted subtree the mount shows only part of the tree.
        if (path.equals(mountRoot)) {
            return "/";
        }
        return path.startsWith(mountRoot + "/") ? path.substring(mountRoot.length()) : path;
    }

    static String unescape(String s) {
        // mountinfo writes space, tab, newline and backslash as \ooo.
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isCgroupFs(Path p) {
        try {
            return Files.getFileStore(p).type().startsWith("cgroup");
        } catch (IOException e) {
            throw new CgroupException("cannot inspect the cgroup mount " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return version == Version.V1 ? "cgroup v1 " + v1Mounts : "cgroup v2 at " + v2Root;
    }
}
