package io.berth.runtime.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a container's root is prepared, as child ops in named steps (run in a new mount namespace):
 * <ol>
 * <li><b>isolate</b>: make / rslave (or what {@code rootPropagation} says) so nothing propagates to
 *     the host; umask 0 so device and directory modes are exact;</li>
 * <li><b>bind-root</b>: bind the rootfs onto itself (recursively) so it is a mount point for
 *     pivot_root, and chdir into it;</li>
 * <li><b>mounts</b>: each spec mount on its path relative to the rootfs, resolved in Java inside the
 *     rootfs so symlinks cannot lead out; the target is created (mkdir, or an empty file for a file
 *     bind). /proc is mounted here, before pivot_root, which also works in a user namespace;</li>
 * <li><b>devices</b> (when /dev is a mount): null, zero, full, random, urandom, tty by mknod (or bound
 *     from the host's /dev in a user namespace, where mknod is not allowed) and the symlinks fd,
 *     stdin, stdout, stderr, ptmx; then the spec's own nodes (linux.devices), parents created, each
 *     replacing what is at its path (refused when /dev is bound from the host);</li>
 * <li><b>pivot</b>: pivot_root(".", ".") and detach the old root; a shared or unbindable
 *     {@code rootPropagation} is applied to the new / here (isolate used rslave until then);</li>
 * <li><b>sysctl</b>: each linux.sysctl key written under the container's /proc/sys;</li>
 * <li><b>mask</b>: masked paths (/dev/null over files, an empty read-only tmpfs over directories);
 *     <b>readonly</b>: read-only paths bound onto themselves and remounted ro (both ignore paths the
 *     kernel does not have);</li>
 * <li><b>readonly-root</b>: the root remounted read-only if asked;</li>
 * <li><b>identity</b>: hostname; loopback up when the container has its own network namespace.</li>
 * </ol>
 * Credentials, capabilities, rlimits and the working directory follow in {@link ProcessSetup}.
 */
public final class RootfsSetup {
    /** runc's default masked paths. */
    public static final List<String> DEFAULT_MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/sys/firmware", "/proc/scsi");
    /** runc's default read-only paths. */
    public static final List<String> DEFAULT_READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    private static final int MAX_SYMLINKS = 40;

    /** The device nodes every container gets: name, major, minor (all character devices, mode 0666). */
    private static final Object[][] DEVICES = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8},
        {"urandom", 1, 9}, {"tty", 5, 0}};
    private static final String[][] DEV_LINKS = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
        {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}};

    private RootfsSetup() {
    }

    /** runc's default mounts: proc, /dev tmpfs, devpts, shm, mqueue, read-only sysfs. */
    public static List<MountSpec> defaultMounts() {
        return List.of(
                new MountSpec("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new MountSpec("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new MountSpec("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new MountSpec("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new MountSpec("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new MountSpec("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    }

    /**
     * The ops that turn {@code rootfs} into the container's root.
     *
     * @param rootPropagation "rslave" (default when null), "rprivate", ... applied to / first
     * @param hostname        null keeps the (new or joined) UTS namespace's name
     * @param loopback        bring lo up (only meaningful in a new network namespace)
     * @param userNamespace   bind device nodes from the host instead of mknod
     */
    public static List<ChildOp> prepare(Path rootfs, boolean readonlyRoot, List<MountSpec> mounts,
            List<String> maskedPaths, List<String> readonlyPaths, String hostname, boolean loopback,
            boolean userNamespace, String rootPropagation) {
        return prepare(rootfs, readonlyRoot, mounts, List.of(), Map.of(), maskedPaths, readonlyPaths, hostname, loopback,
                userNamespace, rootPropagation);
    }

    /**
     * As above, with the spec's own device nodes (created after the default ones, replacing what is
     * at their paths) and sysctls (written in order of {@code sysctls}' iteration, after pivot).
     */
    public static List<ChildOp> prepare(Path rootfs, boolean readonlyRoot, List<MountSpec> mounts,
            List<DeviceNode> devices, Map<String, String> sysctls, List<String> maskedPaths, List<String> readonlyPaths,
            String hostname, boolean loopback, boolean userNamespace, String rootPropagation) {
        if (!rootfs.isAbsolute()) {
            throw new IllegalArgumentException("rootfs \"" + rootfs + "\" is not absolute: give its full path");
        }
        String root = rootfs.normalize().toString();
        List<ChildOp> ops = new ArrayList<>();

        // isolate
        long propagation = MountFlags.REC | MountFlags.SLAVE;
        if (rootPropagation != null && !rootPropagation.isEmpty()) {
            propagation = MountOptions.parse(List.of(rootPropagation)).propagation();
            if (propagation == 0) {
                throw new IllegalArgumentException("root propagation \"" + rootPropagation
                        + "\" is not a propagation: use rslave, rprivate, slave, private, shared or rshared");
            }
        }
        // Shared and unbindable are applied to the new root only after pivot, as runc does: a shared
        // "/" now would put the container's mounts in the host's peer groups (its mounts would
        // appear on the host) and make pivot_root fail; an unbindable one forbids the bind below.
        long afterPivot = (propagation & (MountFlags.SHARED | MountFlags.UNBINDABLE)) != 0 ? propagation : 0;
        ops.add(ChildOp.Mount.propagation("/", afterPivot != 0 ? MountFlags.REC | MountFlags.SLAVE : propagation));
        ops.add(new ChildOp.Umask(0));

        // bind-root
        ops.add(new ChildOp.Bind(root, root, true, 0));
        ops.add(new ChildOp.Chdir(root));

        // mounts
        boolean devMounted = false;
        boolean devBound = false;
        Set<String> covered = new HashSet<>();
        for (MountSpec m : mounts) {
            String target = resolveInRoot(rootfs, m.destination(), covered);
            MountOptions o;
            try {
                o = MountOptions.parse(m.options());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mount " + m.destination() + ": " + e.getMessage(), e);
            }
            boolean bind = o.bind() || "bind".equals(m.type());
            if (!bind && ("proc".equals(m.type()) || "sysfs".equals(m.type()))) {
                checkOrdinaryDirectory(rootfs, m, covered);
            }
            if (bind) {
                if (m.source() == null || !m.source().startsWith("/")) {
                    throw new IllegalArgumentException("bind mount " + m.destination() + " needs an absolute source path");
                }
                if (Files.isDirectory(Path.of(m.source())) || !Files.exists(Path.of(m.source()))) {
                    ops.add(new ChildOp.MakeDir(target, 0755));
                } else {
                    addParentDir(ops, target);
                    ops.add(new ChildOp.Touch(target));
                }
                ops.add(new ChildOp.Bind(m.source(), target, o.recursive(), o.flags()));
            } else {
                ops.add(new ChildOp.MakeDir(target, 0755));
                ops.add(new ChildOp.Mount(m.source() != null ? m.source() : m.type(), target, m.type(), o.flags(), o.data()));
            }
            if (o.propagation() != 0) {
                ops.add(ChildOp.Mount.propagation(target, o.propagation()));
            }
            devMounted |= target.equals("dev");
            devBound |= bind && target.equals("dev");
            // What the image has on disk under this target is hidden from here on: later
            // destinations inside it must not follow the image's symlinks there.
            covered.add(target);
        }

        // devices
        if (devMounted) {
            for (Object[] d : DEVICES) {
                String path = "dev/" + d[0];
                if (userNamespace) {
                    ops.add(new ChildOp.Touch(path));
                    ops.add(new ChildOp.Bind("/dev/" + d[0], path, false, 0));
                } else {
                    ops.add(ChildOp.MakeNod.charDevice(path, 0666, (Integer) d[1], (Integer) d[2]));
                }
            }
            for (String[] l : DEV_LINKS) {
                ops.add(new ChildOp.Symlink(l[0], "dev/" + l[1]));
            }
        }

        if (!devices.isEmpty() && devBound) {
            // runc skips linux.devices then; creating them would change the host's /dev, skipping
            // would run the container without what it asked for.
            throw new IllegalArgumentException("linux.devices cannot be created when /dev is a bind mount (the nodes would land in"
                    + " the host's directory): drop the /dev bind mount or the devices");
        }
        for (DeviceNode d : devices) {
            String path = resolveInRoot(rootfs, d.path(), covered);
            if (path.equals(".")) {
                throw new IllegalArgumentException("device " + d.path() + " resolves to the root itself: give a path below it");
            }
            addParentDir(ops, path);
            if (userNamespace) {
                ops.add(new ChildOp.Touch(path));
                ops.add(new ChildOp.Bind(d.path(), path, false, 0));
            } else {
                ops.add(ChildOp.MakeNod.of(d, path));
            }
        }

        // pivot
        ops.add(new ChildOp.PivotRoot());
        if (afterPivot != 0) {
            ops.add(ChildOp.Mount.propagation("/", afterPivot));
        }

        // sysctl: the container's /proc is in place, /proc/sys not yet read-only (as runc orders it)
        sysctls.forEach((key, value) -> ops.add(new ChildOp.Sysctl(key, value)));

        // mask, readonly
        for (String p : maskedPaths) {
            ops.add(new ChildOp.IfExists(new ChildOp.MaskPath(absolute(p, "masked path"))));
        }
        for (String p : readonlyPaths) {
            String a = absolute(p, "read-only path");
            ops.add(new ChildOp.IfExists(new ChildOp.Bind(a, a, true, MountFlags.RDONLY)));
        }

        // readonly-root
        if (readonlyRoot) {
            ops.add(new ChildOp.Remount("/", MountFlags.RDONLY));
        }

        // identity
        if (hostname != null) {
            ops.add(new ChildOp.SetHostname(hostname));
        }
        if (loopback) {
            ops.add(new ChildOp.LoopbackUp());
        }
        return ops;
    }

    /**
     * procfs and sysfs go on an ordinary directory of the image, never through a symlink at the
     * destination (runc's rule since CVE-2023-28642 and CVE-2019-19921): the kernel would mount them
     * wherever the link points, and the masked and read-only paths meant for /proc would then guard
     * another place. The child enforces the same at mount time (it follows no symlink), so one that
     * appears after this check fails the launch instead.
     */
    private static void checkOrdinaryDirectory(Path rootfs, MountSpec m, Set<String> covered) {
        String d = m.destination().replaceAll("/+$", "");
        int slash = d.lastIndexOf('/');
        String name = d.substring(slash + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return; // "/", or a destination ending in dots: resolveInRoot places it, nothing named is a link
        }
        String parent = resolveInRoot(rootfs, slash <= 0 ? "/" : d.substring(0, slash), covered);
        if (!parent.equals(".") && isCovered(new ArrayDeque<>(Arrays.asList(parent.split("/"))), covered)) {
            return; // below another mount: nothing of the image is there
        }
        Path p = rootfs.resolve(parent.equals(".") ? name : parent + "/" + name);
        boolean link = Files.isSymbolicLink(p);
        if (link || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            throw new IllegalArgumentException("mount " + m.destination() + ": " + m.type() + " must be mounted on an"
                    + " ordinary directory, but " + p + " is " + (link ? "a symlink" : "not a directory")
                    + " in the root filesystem: make it a directory in the image (runc refuses this too)");
        }
    }

    private static boolean isCovered(Deque<String> done, Set<String> covered) {
        if (covered.isEmpty()) {
            return false;
        }
        StringBuilder prefix = new StringBuilder();
        for (String part : done) {
            prefix.append(prefix.length() == 0 ? "" : "/").append(part);
            if (covered.contains(prefix.toString())) {
                return true;
            }
        }
        return false;
    }

    private static void addParentDir(List<ChildOp> ops, String target) {
        int slash = target.lastIndexOf('/');
        if (slash > 0) {
            ops.add(new ChildOp.MakeDir(target.substring(0, slash), 0755));
        }
    }

    private static String absolute(String p, String what) {
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException(what + " \"" + p + "\" is not absolute: give the path inside the container");
        }
        return p;
    }

    /**
     * {@code path} (a path inside the container) resolved against {@code root} as if root were "/":
     * ".." stops at the root and symlinks are followed inside it, absolute ones from the root. The
     * result is relative to root ("dev/pts"); components that do not exist yet are kept as written.
     * Like runc's securejoin this is checked when the plan is made: the rootfs must not be changed by
     * an untrusted party between planning and launch.
     */
    public static String resolveInRoot(Path root, String path) {
        return resolveInRoot(root, path, Set.of());
    }

    /** As above; below any of {@code covered} (relative mount targets) nothing on disk is consulted. */
    static String resolveInRoot(Path root, String path, Set<String> covered) {
        Deque<String> todo = new ArrayDeque<>(Arrays.asList(path.split("/")));
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                done.pollLast();
                continue;
            }
            Path current = root.resolve(String.join("/", done)).resolve(c);
            if (!isCovered(done, covered) && Files.isSymbolicLink(current)) {
                if (++links > MAX_SYMLINKS) {
                    throw new IllegalArgumentException("too many symlinks resolving " + path + " in " + root
                            + ": fix the loop in the image");
                }
                String target;
                try {
                    target = Files.readSymbolicLink(current).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read symlink " + current, e);
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> parts = Arrays.asList(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                continue;
            }
            done.addLast(c);
        }
        if (done.isEmpty()) {
            return ".";
        }
        return String.join("/", done);
    }
}
