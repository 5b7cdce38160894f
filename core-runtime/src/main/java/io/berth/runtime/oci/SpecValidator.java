package io.berth.runtime.oci;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.berth.runtime.linux.Capability;
import io.berth.runtime.linux.Rlimit;
import io.berth.runtime.seccomp.SeccompProfile;

/**
 * Checks a spec before anything is created. Two kinds of refusal: a value that is wrong (a
 * relative cwd, a negative memory limit), and a setting the spec defines that Berth does not
 * implement yet: silently ignoring that would run a container with less isolation than asked for.
 */
public final class SpecValidator {
    static final Set<String> NAMESPACE_TYPES = Set.of("pid", "network", "mount", "ipc", "uts", "cgroup", "user", "time");
    /** The IPC-namespaced sysctls outside fs.mqueue (runc's validator list). */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final List<String> ROOTFS_PROPAGATIONS = List.of("private", "rprivate", "slave", "rslave",
            "shared", "rshared", "unbindable", "runbindable");
    private static final Set<String> SUPPORTED_MOUNT_TYPES = Set.of("bind", "proc", "tmpfs", "devpts", "mqueue", "sysfs", "cgroup", "cgroup2", "none");

    private SpecValidator() {
    }

    /** The document a spec read from a bundle is blamed on. */
    public static final String CONFIG_JSON = "config.json";
    /** The document a spec built in memory (SpecBuilder) is blamed on: there is no file to fix. */
    public static final String IN_MEMORY = "spec";

    /** Throws {@link InvalidSpecException} with the first problem found, blamed on config.json. */
    public static void validate(Spec spec) {
        validate(spec, CONFIG_JSON);
    }

    /**
     * Throws {@link InvalidSpecException} with the first problem found, as "{@code document}: problem"
     * ({@link #CONFIG_JSON} or {@link #IN_MEMORY}).
     */
    public static void validate(Spec spec, String document) {
        List<String> problems = problems(spec, document);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(document + ": " + problems.get(0));
        }
    }

    /** Every problem found, worded for config.json. */
    public static List<String> problems(Spec spec) {
        return problems(spec, CONFIG_JSON);
    }

    /** Every problem found; the advice for an unimplemented setting says where to remove it from. */
    public static List<String> problems(Spec spec, String document) {
        List<String> p = problemsInConfigJson(spec);
        if (!document.equals(CONFIG_JSON)) {
            p.replaceAll(m -> m.replace(UNSUPPORTED_ADVICE, "leave it out of the " + document));
        }
        return p;
    }

    private static List<String> problemsInConfigJson(Spec spec) {
        List<String> p = new ArrayList<>();
        if (spec.root() == null || blank(spec.root().path())) {
            p.add("root.path is missing: set it to the container's root filesystem (relative to the bundle)");
        }
        checkProcess(spec.process(), p);
        if (spec.hooks() != null) {
            checkHooks(spec.hooks(), p);
        }
        if (!blank(spec.domainname())) {
            p.add(unsupportedMessage("domainname"));
        }
        for (Spec.Mount m : spec.mounts()) {
            if (blank(m.destination()) || !m.destination().startsWith("/")) {
                p.add("mount destination '" + m.destination() + "' must be an absolute path inside the container");
            }
            String type = m.type() == null || m.type().isEmpty() ? "bind" : m.type();
            if (!SUPPORTED_MOUNT_TYPES.contains(type)) {
                p.add("mount type '" + type + "' at " + m.destination() + " is not supported by Berth yet (supported: " + String.join(", ", SUPPORTED_MOUNT_TYPES) + ")");
            }
            unsupported(m.uidMappings(), "mounts[" + m.destination() + "].uidMappings", p);
            unsupported(m.gidMappings(), "mounts[" + m.destination() + "].gidMappings", p);
        }
        if (spec.linux() != null) {
            checkLinux(spec.linux(), !blank(spec.hostname()), p);
            checkUserNamespaceMounts(spec, p);
        }
        return p;
    }

    /**
     * In a new user namespace the kernel lets root mount proc and mqueue only for pid and ipc
     * namespaces that user namespace owns, i.e. new ones made with it (runc fails later with a bare
     * EPERM). sysfs needs a network namespace too, but Berth binds the host's /sys then, as runc.
     */
    private static void checkUserNamespaceMounts(Spec spec, List<String> p) {
        Set<String> fresh = new HashSet<>();
        spec.linux().namespaces().forEach(ns -> {
            if (blank(ns.path())) {
                fresh.add(ns.type());
            }
        });
        if (!fresh.contains("user")) {
            return;
        }
        for (Spec.Mount m : spec.mounts()) {
            String needs = "proc".equals(m.type()) ? "pid" : "mqueue".equals(m.type()) ? "ipc" : null;
            if (needs != null && !fresh.contains(needs)) {
                p.add("mount type '" + m.type() + "' at " + m.destination() + " in a new user namespace needs a new " + needs
                        + " namespace too (the kernel refuses it otherwise): add {\"type\":\"" + needs + "\"} to linux.namespaces"
                        + " or drop the mount");
            }
        }
    }

    /** For exec: the process alone, with the same rules as in a whole spec. */
    public static void validateProcess(Spec.Process process) {
        List<String> p = new ArrayList<>();
        checkProcess(process, p);
        if (!p.isEmpty()) {
            throw new InvalidSpecException("process: " + p.get(0));
        }
    }

    private static void checkProcess(Spec.Process process, List<String> p) {
        if (process == null) {
            p.add("process is missing: a container needs process.args");
            return;
        }
        if (process.args().isEmpty() || blank(process.args().get(0))) {
            p.add("process.args is empty: name the program to run, e.g. [\"sh\"]");
        }
        if (blank(process.cwd()) || !process.cwd().startsWith("/")) {
            p.add("process.cwd '" + process.cwd() + "' must be an absolute path");
        }
        for (String e : process.env()) {
            if (e == null || e.indexOf('=') <= 0) {
                p.add("process.env entry '" + e + "' is not NAME=value");
            }
        }
        if (process.consoleSize() != null) {
            Spec.ConsoleSize size = process.consoleSize();
            if (!process.terminal()) {
                p.add("process.consoleSize is set but process.terminal is false: a size needs a terminal");
            } else if (size.height() < 0 || size.width() < 0 || size.height() > 0xffff || size.width() > 0xffff) {
                p.add("process.consoleSize " + size.height() + "x" + size.width() + " is out of range: height and width must be 0..65535");
            }
        }
        if (process.user().uid() < 0 || process.user().gid() < 0 || process.user().additionalGids().stream().anyMatch(g -> g < 0)) {
            p.add("process.user ids must not be negative");
        }
        if (!blank(process.user().username())) {
            p.add(unsupportedMessage("process.user.username") + "; give numeric uid and gid");
        }
        if (process.capabilities() != null) {
            Spec.Capabilities c = process.capabilities();
            for (List<String> set : java.util.Arrays.asList(c.bounding(), c.effective(), c.inheritable(), c.permitted(), c.ambient())) {
                for (String name : set == null ? List.<String>of() : set) {
                    try {
                        Capability.parse(name);
                    } catch (IllegalArgumentException e) {
                        p.add("process.capabilities: " + e.getMessage());
                    }
                }
            }
        }
        Set<String> seen = new HashSet<>();
        for (Spec.Rlimit r : process.rlimits()) {
            try {
                Rlimit.parse(r.type());
            } catch (IllegalArgumentException | NullPointerException e) {
                p.add("process.rlimits: unknown type '" + r.type() + "': use names like RLIMIT_NOFILE");
                continue;
            }
            if (!seen.add(r.type())) {
                p.add("process.rlimits has " + r.type() + " twice");
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                p.add("process.rlimits " + r.type() + ": soft limit " + r.soft() + " is above the hard limit " + r.hard());
            }
        }
        if (!blank(process.apparmorProfile())) {
            p.add(unsupportedMessage("process.apparmorProfile"));
        }
        if (!blank(process.selinuxLabel())) {
            p.add(unsupportedMessage("process.selinuxLabel"));
        }
        unsupported(process.ioPriority(), "process.ioPriority", p);
        unsupported(process.scheduler(), "process.scheduler", p);
        unsupported(process.execCpuAffinity(), "process.execCPUAffinity", p);
    }

    /**
     * runc's rule: only sysctls the kernel keeps per namespace, and only when the container has that
     * namespace of its own (or joins one); any other key would change the host for everyone. The
     * key's form (no slashes, no empty parts) is checked where it becomes a path, ChildOp.Sysctl.
     */
    private static String sysctlProblem(String key, Set<String> namespaces, boolean hostname) {
        if (IPC_SYSCTLS.contains(key) || key.startsWith("fs.mqueue.")) {
            return namespaces.contains("ipc") ? null
                    : "is not allowed in the host's ipc namespace: add {\"type\":\"ipc\"} to linux.namespaces";
        }
        if (key.startsWith("net.")) {
            return namespaces.contains("network") ? null
                    : "is not allowed in the host's network namespace: add {\"type\":\"network\"} to linux.namespaces";
        }
        if (key.equals("kernel.hostname") || key.equals("kernel.domainname")) {
            if (!namespaces.contains("uts")) {
                return "is not allowed in the host's uts namespace: add {\"type\":\"uts\"} to linux.namespaces";
            }
            return key.equals("kernel.hostname") && hostname ? "conflicts with the hostname field: set only one of them" : null;
        }
        return "is not namespaced (it would change the host): only kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*,"
                + " net.*, kernel.hostname and kernel.domainname can be set per container";
    }

    private static void checkLinux(Spec.Linux linux, boolean hostname, List<String> p) {
        Set<String> seen = new HashSet<>();
        for (Spec.Namespace ns : linux.namespaces()) {
            if (!NAMESPACE_TYPES.contains(ns.type())) {
                p.add("linux.namespaces: unknown type '" + ns.type() + "' (known: " + String.join(", ", NAMESPACE_TYPES) + ")");
            } else if (!seen.add(ns.type())) {
                p.add("linux.namespaces lists '" + ns.type() + "' twice");
            } else if (ns.type().equals("time")) {
                // Berth has no clock offsets to go with it.
                p.add(unsupportedMessage("linux.namespaces type 'time'" + (blank(ns.path()) ? "" : " (path " + ns.path() + ")")));
            } else if (!blank(ns.path()) && !ns.path().startsWith("/")) {
                p.add("linux.namespaces " + ns.type() + " path '" + ns.path() + "' is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/...");
            }
        }
        boolean newUser = linux.namespaces().stream().anyMatch(ns -> ns.type().equals("user") && blank(ns.path()));
        checkIdMappings(linux, seen.contains("user"), newUser, p);
        unsupported(linux.timeOffsets(), "linux.timeOffsets", p);
        if (linux.seccomp() != null) {
            p.addAll(SeccompProfile.problems(linux.seccomp()));
        }
        unsupported(linux.intelRdt(), "linux.intelRdt", p);
        unsupported(linux.personality(), "linux.personality", p);
        for (Spec.Device d : linux.devices()) {
            try {
                d.toNode();
            } catch (IllegalArgumentException e) {
                p.add("linux.devices: " + e.getMessage());
            }
        }
        Set<String> namespaces = new HashSet<>();
        linux.namespaces().forEach(ns -> namespaces.add(ns.type()));
        new TreeMap<>(linux.sysctl()).forEach((key, value) -> {
            String problem = sysctlProblem(key, namespaces, hostname);
            if (problem != null) {
                p.add("linux.sysctl " + key + " " + problem);
            }
        });
        if (!blank(linux.mountLabel())) {
            p.add(unsupportedMessage("linux.mountLabel"));
        }
        if (!blank(linux.rootfsPropagation()) && !ROOTFS_PROPAGATIONS.contains(linux.rootfsPropagation())) {
            p.add("linux.rootfsPropagation '" + linux.rootfsPropagation() + "' is not a propagation: use one of "
                    + String.join(", ", ROOTFS_PROPAGATIONS) + " (or leave it out for rslave)");
        }
        for (String path : concat(linux.maskedPaths(), linux.readonlyPaths())) {
            if (blank(path) || !path.startsWith("/")) {
                p.add("masked and read-only paths must be absolute: '" + path + "'");
            }
        }
        if (linux.resources() != null) {
            checkResources(linux.resources(), p);
        }
    }

    /** Most lines the kernel takes in one uid_map or gid_map write (user_namespaces(7)). */
    static final int MAX_ID_MAPPINGS = 340;
    /** (u32)-1 is no id: the kernel refuses a range that reaches it. */
    private static final long ID_LIMIT = (1L << 32) - 1;

    /**
     * A new user namespace needs both maps (they are written once, before the container's setup
     * runs); maps without any user namespace would silently run the container as host root. The kernel takes
     * each map in one write and refuses ranges that overlap or reach 2^32-1.
     */
    private static void checkIdMappings(Spec.Linux linux, boolean userNamespace, boolean newUserNamespace, List<String> p) {
        if (!userNamespace) {
            if (!linux.uidMappings().isEmpty() || !linux.gidMappings().isEmpty()) {
                p.add("linux.uidMappings/gidMappings are set but linux.namespaces has no user namespace: add {\"type\":\"user\"} or drop the mappings");
            }
            return;
        }
        if (!newUserNamespace) {
            return; // a joined user namespace already has its maps
        }
        if (linux.uidMappings().isEmpty() || linux.gidMappings().isEmpty()) {
            p.add("linux.namespaces has a user namespace but linux." + (linux.uidMappings().isEmpty() ? "uidMappings" : "gidMappings")
                    + " is empty: give both uidMappings and gidMappings, e.g. [{\"containerID\":0,\"hostID\":100000,\"size\":65536}]");
            return;
        }
        checkIdMap("linux.uidMappings", linux.uidMappings(), p);
        checkIdMap("linux.gidMappings", linux.gidMappings(), p);
    }

    private static void checkIdMap(String field, List<Spec.IdMapping> maps, List<String> p) {
        int before = p.size();
        checkIdRanges(field, maps, p);
        if (p.size() > before) {
            return;
        }
        // The launcher becomes the namespace's root (uid and gid 0) before setting up the root
        // filesystem, as runc does; without a mapping for 0 that fails.
        if (maps.stream().noneMatch(m -> m.containerID() <= 0 && 0 < m.containerID() + m.size())) {
            p.add(field + " maps no range containing containerID 0: the container's root must be mapped,"
                    + " e.g. {\"containerID\":0,\"hostID\":100000,\"size\":65536}");
        }
    }

    private static void checkIdRanges(String field, List<Spec.IdMapping> maps, List<String> p) {
        if (maps.size() > MAX_ID_MAPPINGS) {
            p.add(field + " has " + maps.size() + " entries: the kernel takes at most " + MAX_ID_MAPPINGS + ", merge adjacent ranges");
            return;
        }
        for (int i = 0; i < maps.size(); i++) {
            Spec.IdMapping m = maps.get(i);
            String entry = field + "[" + i + "] {containerID " + m.containerID() + ", hostID " + m.hostID() + ", size " + m.size() + "}";
            if (m.size() <= 0) {
                p.add(entry + " has no size: give the number of ids to map (at least 1)");
            } else if (m.containerID() < 0 || m.hostID() < 0 || m.containerID() + m.size() > ID_LIMIT || m.hostID() + m.size() > ID_LIMIT) {
                p.add(entry + " is out of range: id+size must not exceed " + ID_LIMIT);
            } else {
                for (int j = 0; j < i; j++) {
                    Spec.IdMapping o = maps.get(j);
                    if (overlaps(m.containerID(), o.containerID(), m.size(), o.size()) || overlaps(m.hostID(), o.hostID(), m.size(), o.size())) {
                        p.add(entry + " overlaps " + field + "[" + j + "]: each id may be mapped once, inside and outside");
                    }
                }
            }
        }
    }

    private static boolean overlaps(long a, long b, long sizeA, long sizeB) {
        return a < b + sizeB && b < a + sizeA;
    }

    private static void checkResources(Spec.Resources r, List<String> p) {
        Spec.Memory m = r.memory();
        if (m != null) {
            if (m.limit() != null && m.limit() <= 0 && m.limit() != -1) {
                p.add("linux.resources.memory.limit " + m.limit() + " is invalid: give a positive number of bytes (or -1 for unlimited)");
            }
            if (m.reservation() != null && m.reservation() < 0 && m.reservation() != -1) {
                p.add("linux.resources.memory.reservation " + m.reservation() + " is invalid: give a positive number of bytes");
            }
            if (m.swap() != null && m.swap() != -1 && m.limit() != null && m.swap() < m.limit()) {
                p.add("linux.resources.memory.swap " + m.swap() + " is below memory.limit " + m.limit() + ": swap is memory+swap, so it must be at least the limit");
            }
            // kernel and kernelTCP are accepted and ignored, as runc 1.1 does: the kernel deprecated
            // kmem limits (v1, 5.4) and removed them (6.1); cgroup v2 never had them (docs/cgroups.md).
            if (m.swappiness() != null && m.swappiness() != -1 && (m.swappiness() < 0 || m.swappiness() > 100)) {
                p.add("linux.resources.memory.swappiness " + Long.toUnsignedString(m.swappiness()) + " is invalid: give 0..100");
            }
            unsupportedFields(p, "linux.resources.memory.",
                    "useHierarchy", m.useHierarchy(), "checkBeforeUpdate", m.checkBeforeUpdate());
        }
        Spec.Cpu c = r.cpu();
        if (c != null) {
            if (c.shares() != null && c.shares() < 2) {
                p.add("linux.resources.cpu.shares " + c.shares() + " is invalid: give at least 2");
            }
            if (c.quota() != null && c.quota() != -1 && c.quota() < 1000) {
                p.add("linux.resources.cpu.quota " + c.quota() + " is invalid: give at least 1000 microseconds, or -1 for no quota");
            }
            if (c.period() != null && (c.period() < 1000 || c.period() > 1_000_000)) {
                p.add("linux.resources.cpu.period " + c.period() + " is invalid: give 1000 to 1000000 microseconds");
            }
            unsupportedFields(p, "linux.resources.cpu.", "burst", c.burst(), "realtimeRuntime", c.realtimeRuntime(),
                    "realtimePeriod", c.realtimePeriod(), "idle", c.idle());
        }
        unsupported(r.blockIO(), "linux.resources.blockIO", p);
        unsupported(r.hugepageLimits(), "linux.resources.hugepageLimits", p);
        unsupported(r.network(), "linux.resources.network", p);
        unsupported(r.rdma(), "linux.resources.rdma", p);
        if (!r.unified().isEmpty()) {
            p.add(unsupportedMessage("linux.resources.unified"));
        }
        for (Spec.DeviceRule d : r.devices()) {
            if (d.type() != null && !Set.of("a", "b", "c").contains(d.type())) {
                p.add("linux.resources.devices type '" + d.type() + "' is invalid: use a, b or c");
            }
            if (d.access() != null && !d.access().matches("[rwm]*")) {
                p.add("linux.resources.devices access '" + d.access() + "' is invalid: use letters from rwm");
            }
        }
    }

    /** {@code namesAndValues} alternates a field name and its value; every non-null value is refused. */
    private static void checkHooks(Spec.Hooks hooks, List<String> p) {
        checkHooks("prestart", hooks.prestart(), p);
        checkHooks("createRuntime", hooks.createRuntime(), p);
        checkHooks("poststart", hooks.poststart(), p);
        checkHooks("poststop", hooks.poststop(), p);
        // These two run inside the container's namespaces (after pivot_root / right before exec),
        // which only the C child could do; running them from the runtime would be a different hook.
        if (!hooks.createContainer().isEmpty()) {
            p.add(unsupportedMessage("hooks.createContainer"));
        }
        if (!hooks.startContainer().isEmpty()) {
            p.add(unsupportedMessage("hooks.startContainer"));
        }
    }

    private static void checkHooks(String kind, List<Spec.Hook> list, List<String> p) {
        for (int i = 0; i < list.size(); i++) {
            Spec.Hook h = list.get(i);
            String name = "hooks." + kind + "[" + i + "]";
            if (blank(h.path()) || !h.path().startsWith("/")) {
                p.add(name + ".path '" + h.path() + "' must be an absolute path on the host");
            }
            if (h.timeout() != null && h.timeout() <= 0) {
                p.add(name + ".timeout " + h.timeout() + " must be a positive number of seconds (or left out for none)");
            }
            for (String e : h.env()) {
                if (e.indexOf('=') <= 0) {
                    p.add(name + ".env entry '" + e + "' must be NAME=value");
                }
            }
        }
    }

    private static void unsupportedFields(List<String> p, String prefix, Object... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                p.add(unsupportedMessage(prefix + namesAndValues[i]));
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** {@code value} is plain JSON (Spec's pass-through settings): null, {} and [] mean "not set". */
    private static void unsupported(Object value, String name, List<String> p) {
        boolean empty = value == null || value instanceof Map && ((Map<?, ?>) value).isEmpty()
                || value instanceof List && ((List<?>) value).isEmpty();
        if (!empty) {
            p.add(unsupportedMessage(name));
        }
    }

    private static final String UNSUPPORTED_ADVICE = "remove it from config.json or run this bundle with runc";

    private static String unsupportedMessage(String name) {
        return name + " is not supported by Berth yet: " + UNSUPPORTED_ADVICE;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
