package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.linux.Capability;
import io.berth.runtime.linux.ChildOp;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.MountFlags;
import io.berth.runtime.linux.MountOptions;
import io.berth.runtime.linux.MountSpec;
import io.berth.runtime.linux.Namespace;
import io.berth.runtime.linux.NamespaceFile;
import io.berth.runtime.linux.ProcessSetup;
import io.berth.runtime.linux.Rlimit;
import io.berth.runtime.linux.RootfsSetup;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.seccomp.SeccompCompiler;

/**
 * Turns a validated OCI spec into the launcher's plan: which namespaces, which child ops in which
 * order (root filesystem first, then the process's identity), what to exec. This is the one place
 * that knows how OCI's words map onto Berth's launch steps.
 */
final class LaunchPlanner {
    private static final Map<String, Namespace> NAMESPACES = Map.of(
            "pid", Namespace.PID, "network", Namespace.NETWORK, "mount", Namespace.MOUNT,
            "ipc", Namespace.IPC, "uts", Namespace.UTS, "cgroup", Namespace.CGROUP, "user", Namespace.USER);
    /** process.user.umask when the spec gives none, as runc. */
    private static final int DEFAULT_UMASK = 0022;

    private LaunchPlanner() {
    }

    /**
     * @param consoleSocketFd with {@code process.terminal}: a connected console socket's fd, or
     *                        {@link LaunchPlan#CONSOLE_PAIR} for a terminal this JVM receives
     */
    static LaunchPlan plan(Spec spec, Path rootfs, Stdio stdio, int startGateFd, boolean shareMemory, CgroupFs cgroupFs,
            int consoleSocketFd) {
        Set<Namespace> namespaces = namespaces(spec);
        Map<Namespace, Path> joins = joins(spec);
        Set<Namespace> all = EnumSet.noneOf(Namespace.class);
        all.addAll(namespaces);
        all.addAll(joins.keySet());
        if (!all.contains(Namespace.MOUNT)) {
            throw new InvalidSpecException("linux.namespaces must include mount: Berth pivots into the root filesystem, which without its own mount namespace would change the host's");
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !all.contains(Namespace.UTS)) {
            throw new InvalidSpecException("hostname is set but linux.namespaces has no uts: add {\"type\":\"uts\"} or drop the hostname");
        }
        Spec.Linux linux = spec.linux();
        Spec.Process p = spec.process();
        // New or joined (a pod's containers join its sandbox's): either way mknod is not allowed.
        boolean userNamespace = all.contains(Namespace.USER);
        List<MountSpec> mounts = new ArrayList<>();
        List<Spec.Mount> cgroupMounts = new ArrayList<>();
        for (Spec.Mount m : spec.mounts()) {
            String type = m.type() == null || m.type().isEmpty() ? "bind" : m.type();
            if (type.equals("cgroup") || type.equals("cgroup2")) {
                cgroupMounts.add(m);
            } else if (type.equals("sysfs") && userNamespace && !all.contains(Namespace.NETWORK)) {
                // The kernel lets a user namespace mount sysfs only with its own network namespace;
                // runc binds the host's /sys instead, which shows the same (host's) network devices.
                List<String> options = new ArrayList<>(m.options());
                options.add("rbind");
                mounts.add(new MountSpec(m.destination(), "bind", "/sys", options));
            } else {
                mounts.add(new MountSpec(m.destination(), type, m.source(), m.options()));
            }
        }
        List<ChildOp> ops = new ArrayList<>();
        try {
            ops.addAll(RootfsSetup.prepare(rootfs, spec.root().readonly(), mounts,
                    linux == null ? List.of() : linux.devices().stream().map(Spec.Device::toNode).toList(),
                    linux == null ? Map.of() : new TreeMap<>(linux.sysctl()),
                    linux == null ? List.of() : linux.maskedPaths(),
                    linux == null ? List.of() : linux.readonlyPaths(),
                    blankToNull(spec.hostname()), namespaces.contains(Namespace.NETWORK), userNamespace,
                    linux == null ? null : blankToNull(linux.rootfsPropagation())));
            insertBeforePivot(ops, cgroupMountOps(rootfs, cgroupMounts, cgroupFs));
            LaunchPlan draft = LaunchPlan.of(p.args(), p.env(), stdio);
            ProcessSetup.Terminal terminal = p.terminal() ? ProcessSetup.Terminal.forContainer(rows(p), cols(p)) : null;
            ops.addAll(ProcessSetup.prepare(user(p.user()), capabilities(p.capabilities()), p.noNewPrivileges(),
                    rlimits(p), p.cwd(), p.args(), draft.pathEnv(), terminal, SeccompCompiler.forSpec(spec)));
            return draft.withNewNamespaces(namespaces).withJoinNamespaces(joins).withShareMemory(shareMemory).withSetup(ops).withStartGate(startGateFd)
                    .withConsoleSocket(p.terminal() ? consoleSocketFd : LaunchPlan.NO_CONSOLE);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage(), e);
        }
    }

    /** The namespaces to create: linux.namespaces entries without a path. */
    static Set<Namespace> namespaces(Spec spec) {
        Set<Namespace> set = EnumSet.noneOf(Namespace.class);
        if (spec.linux() != null) {
            for (Spec.Namespace ns : spec.linux().namespaces()) {
                Namespace n = namespace(ns);
                if (ns.path() == null || ns.path().isEmpty()) {
                    set.add(n);
                }
            }
        }
        return set;
    }

    /**
     * The namespaces to join: entries with a path, each checked to be a namespace file of its type
     * (runc's setns would fail with a bare EINVAL; this says which entry is wrong). A pid path means
     * the init runs IN that namespace (the launcher forks once more after setns), so
     * /proc/PID/ns/pid_for_children of a process that unshared one works as well as /proc/PID/ns/pid.
     */
    static Map<Namespace, Path> joins(Spec spec) {
        Map<Namespace, Path> joins = new EnumMap<>(Namespace.class);
        if (spec.linux() != null) {
            for (Spec.Namespace ns : spec.linux().namespaces()) {
                Namespace n = namespace(ns);
                if (ns.path() != null && !ns.path().isEmpty()) {
                    Path path = Path.of(ns.path());
                    try {
                        NamespaceFile.check(n, path, "linux.namespaces " + ns.type() + " path");
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSpecException(e.getMessage(), e);
                    }
                    joins.put(n, path);
                }
            }
        }
        return joins;
    }

    private static Namespace namespace(Spec.Namespace ns) {
        Namespace n = NAMESPACES.get(ns.type());
        if (n == null) {
            throw new InvalidSpecException("linux.namespaces type '" + ns.type() + "' is not supported by Berth yet");
        }
        return n;
    }

    static int rows(Spec.Process p) {
        return p.consoleSize() == null ? 0 : p.consoleSize().height();
    }

    static int cols(Spec.Process p) {
        return p.consoleSize() == null ? 0 : p.consoleSize().width();
    }

    static ProcessSetup.User user(Spec.User u) {
        return new ProcessSetup.User((int) u.uid(), (int) u.gid(), u.additionalGids().stream().map(Long::intValue).toList(),
                u.umask() == null ? DEFAULT_UMASK : u.umask());
    }

    static List<ProcessSetup.Limit> rlimits(Spec.Process p) {
        return p.rlimits().stream().map(r -> new ProcessSetup.Limit(Rlimit.parse(r.type()), r.soft(), r.hard())).toList();
    }

    /** OCI's five sets; an absent capabilities object means none at all, never the runtime's own. */
    static ProcessSetup.Capabilities capabilities(Spec.Capabilities c) {
        if (c == null) {
            return new ProcessSetup.Capabilities(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
        }
        return new ProcessSetup.Capabilities(caps(c.bounding()), caps(c.effective()), caps(c.permitted()),
                caps(c.inheritable()), caps(c.ambient()));
    }

    private static Set<Capability> caps(List<String> names) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        if (names != null) {
            names.forEach(n -> set.add(Capability.parse(n)));
        }
        return set;
    }

    /**
     * /sys/fs/cgroup for the container. On cgroup v2 one cgroup2 mount; on v1 a tmpfs holding one
     * mount per hierarchy with the same controllers as the host's. With the container's own cgroup
     * namespace (unshared after it was placed in its cgroups) each shows only its own subtree.
     */
    private static List<ChildOp> cgroupMountOps(Path rootfs, List<Spec.Mount> mounts, CgroupFs fs) {
        List<ChildOp> ops = new ArrayList<>();
        for (Spec.Mount m : mounts) {
            String target = RootfsSetup.resolveInRoot(rootfs, m.destination());
            MountOptions o = MountOptions.parse(m.options());
            long flags = o.flags() | MountFlags.NOSUID | MountFlags.NOEXEC | MountFlags.NODEV;
            ops.add(new ChildOp.MakeDir(target, 0755));
            if (fs.version() == CgroupFs.Version.V2) {
                ops.add(new ChildOp.Mount("cgroup2", target, "cgroup2", flags, null));
                continue;
            }
            ops.add(new ChildOp.Mount("tmpfs", target, "tmpfs", flags & ~MountFlags.RDONLY, "mode=755"));
            Map<Path, Set<String>> hierarchies = new HashMap<>();
            fs.v1Mounts().forEach((controller, mount) -> hierarchies.computeIfAbsent(mount, k -> new TreeSet<>()).add(controller));
            for (Map.Entry<Path, Set<String>> h : hierarchies.entrySet()) {
                String dir = target + "/" + h.getKey().getFileName();
                ops.add(new ChildOp.MakeDir(dir, 0755));
                ops.add(new ChildOp.Mount("cgroup", dir, "cgroup", flags, h.getValue().stream().collect(Collectors.joining(","))));
            }
            if ((o.flags() & MountFlags.RDONLY) != 0) {
                ops.add(new ChildOp.Remount(target, MountFlags.RDONLY | MountFlags.NOSUID | MountFlags.NOEXEC | MountFlags.NODEV));
            }
        }
        return ops;
    }

    private static void insertBeforePivot(List<ChildOp> ops, List<ChildOp> extra) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof ChildOp.PivotRoot) {
                ops.addAll(i, extra);
                return;
            }
        }
        throw new IllegalStateException("RootfsSetup produced no pivot_root step");
    }

    /** The bit of CAP_SYS_PTRACE in /proc/PID/status's CapBnd. */
    private static final long SYS_PTRACE_BIT = 1L << 19;

    /**
     * A container holding CAP_SYS_PTRACE in the host's user namespace passes the kernel's check even
     * for a non-dumpable process: it can read the launcher of an exec into it, or of a container
     * created in its PID namespace, between the namespace join and execve (the launching JVM's
     * memory, the host's java binary; docs/security.md). Berth cannot close that, so it says so,
     * once per create and per exec, as Kubernetes treats SYS_PTRACE as privileged. Without the
     * capability in the bounding set no process of the container can gain it; in a user namespace
     * it holds it only there, which the check does not honour. Empty when there is nothing to say.
     */
    static Optional<String> ptraceWarning(String id, Spec spec) {
        Spec.Capabilities caps = spec.process().capabilities();
        boolean userNamespace = spec.linux() != null && spec.linux().namespaces().stream().anyMatch(n -> n.type().equals("user"));
        if (userNamespace || caps == null || caps.bounding() == null || !caps.bounding().contains("CAP_SYS_PTRACE")) {
            return Optional.empty();
        }
        return Optional.of(ptraceMessage(id));
    }

    /** As above for an exec, from what the container's init holds now (its bounding set in /proc). */
    static Optional<String> ptraceWarning(String id, int initPid, boolean userNamespace) {
        if (userNamespace) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(initPid), "status"))) {
                if (line.startsWith("CapBnd:") && (Long.parseUnsignedLong(line.substring(7).strip(), 16) & SYS_PTRACE_BIT) != 0) {
                    return Optional.of(ptraceMessage(id));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // The init is gone (the exec fails on its own) or the kernel changed the format: nothing to add.
        }
        return Optional.empty();
    }

    private static String ptraceMessage(String id) {
        return "container " + id + " holds CAP_SYS_PTRACE without a user namespace: its processes can read Berth's"
                + " launcher (the JVM's memory and the host's java binary) while a process is exec'd into it or a container"
                + " is created in its PID namespace; treat it as privileged, or drop the capability or add a user namespace"
                + " (docs/security.md)";
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
