package io.berth.runtime.oci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Builds a {@link Spec} from another one, changing only what differs: a daemon's pod container is
 * {@code DefaultSpec.builder().rootPath(rootfs).args(...).env("K", "v").memoryLimit(...).build()}.
 * The records stay immutable and keep their JSON layout; a part the source did not have (say
 * {@code linux.resources}) appears only when a setter needs it, so {@code spec.toBuilder().build()}
 * equals {@code spec}.
 *
 * <p>Setters check their own argument and say what to give instead; the spec as a whole is checked
 * by {@link SpecValidator} when a container is created from it (or earlier: {@code SpecValidator.validate}).
 */
public final class SpecBuilder {
    private String ociVersion;
    private final ProcessSpecBuilder process;
    private final boolean hadProcess;
    private boolean processTouched;
    private Spec.Root root;
    private String hostname;
    private String domainname;
    private final List<Spec.Mount> mounts;
    private Spec.Hooks hooks;
    private final Map<String, String> annotations;
    /** linux's components, one field each; {@code hasLinux} keeps an absent linux absent until a setter needs it. */
    private boolean hasLinux;
    private final List<Spec.Namespace> namespaces;
    private List<Spec.IdMapping> uidMappings;
    private List<Spec.IdMapping> gidMappings;
    private Object timeOffsets;
    private List<Spec.Device> devices;
    private String cgroupsPath;
    private Spec.Resources resources;
    private String rootfsPropagation;
    private Spec.Seccomp seccomp;
    private Map<String, String> sysctl;
    private List<String> maskedPaths;
    private List<String> readonlyPaths;
    private String mountLabel;
    private Object intelRdt;
    private Object personality;

    SpecBuilder(Spec s) {
        Objects.requireNonNull(s, "spec");
        ociVersion = s.ociVersion();
        hadProcess = s.process() != null;
        process = new ProcessSpecBuilder(hadProcess ? s.process() : new Spec.Process(false, null, null, null, null, null,
                null, null, null, false, null, null, null, null, null, null));
        root = s.root();
        hostname = s.hostname();
        domainname = s.domainname();
        mounts = new ArrayList<>(s.mounts());
        hooks = s.hooks();
        annotations = new LinkedHashMap<>(s.annotations());
        Spec.Linux l = s.linux();
        hasLinux = l != null;
        namespaces = hasLinux ? new ArrayList<>(l.namespaces()) : new ArrayList<>();
        if (hasLinux) {
            uidMappings = l.uidMappings();
            gidMappings = l.gidMappings();
            timeOffsets = l.timeOffsets();
            devices = l.devices();
            cgroupsPath = l.cgroupsPath();
            resources = l.resources();
            rootfsPropagation = l.rootfsPropagation();
            seccomp = l.seccomp();
            sysctl = l.sysctl();
            maskedPaths = l.maskedPaths();
            readonlyPaths = l.readonlyPaths();
            mountLabel = l.mountLabel();
            intelRdt = l.intelRdt();
            personality = l.personality();
        }
    }

    // --- process ---

    /** @see ProcessSpecBuilder#args(String...) */
    public SpecBuilder args(String... args) {
        return process(p -> p.args(args));
    }

    public SpecBuilder args(List<String> args) {
        return process(p -> p.args(args));
    }

    /** Replaces the whole environment. @see ProcessSpecBuilder#env(List) */
    public SpecBuilder env(List<String> env) {
        return process(p -> p.env(env));
    }

    /** Sets one variable, keeping the others (the default spec has PATH and TERM). */
    public SpecBuilder env(String name, String value) {
        return process(p -> p.env(name, value));
    }

    public SpecBuilder cwd(String cwd) {
        return process(p -> p.cwd(cwd));
    }

    /** Numeric uid and gid inside the container. */
    public SpecBuilder user(long uid, long gid) {
        return process(p -> p.user(uid, gid));
    }

    public SpecBuilder additionalGids(long... gids) {
        return process(p -> p.additionalGids(gids));
    }

    public SpecBuilder terminal(boolean terminal) {
        return process(p -> p.terminal(terminal));
    }

    /** A terminal of {@code rows} x {@code cols}. */
    public SpecBuilder terminal(int rows, int cols) {
        return process(p -> p.terminal(rows, cols));
    }

    /** Anything else about the process: {@code b.process(p -> p.rlimit("RLIMIT_NOFILE", 4096, 4096))}. */
    public SpecBuilder process(Consumer<ProcessSpecBuilder> change) {
        change.accept(process);
        processTouched = true;
        return this;
    }

    // --- root, hostname, mounts, hooks, annotations ---

    /** The root filesystem: absolute, or relative to the bundle directory given at create. */
    public SpecBuilder rootPath(Path path) {
        return rootPath(path.toString());
    }

    public SpecBuilder rootPath(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("root path is empty: give the container's root filesystem directory");
        }
        root = new Spec.Root(path, root != null && root.readonly());
        return this;
    }

    /** Mounts the root filesystem read-only (Kubernetes' readOnlyRootFilesystem). */
    public SpecBuilder readonlyRoot(boolean readonly) {
        if (root == null) {
            throw new IllegalStateException("the spec has no root yet: call rootPath first");
        }
        root = new Spec.Root(root.path(), readonly);
        return this;
    }

    /** The container's hostname; needs a uts namespace (new, or joined from a pod sandbox). Null: none set. */
    public SpecBuilder hostname(String hostname) {
        this.hostname = hostname;
        return this;
    }

    /** Adds a mount after the others (later mounts go over earlier ones, as in the spec). */
    public SpecBuilder mount(Spec.Mount mount) {
        Objects.requireNonNull(mount, "mount");
        checkDestination(mount.destination());
        mounts.add(mount);
        return this;
    }

    /**
     * Binds host directory or file {@code source} onto {@code destination} (a volume): recursive,
     * private, and read-only when asked.
     */
    public SpecBuilder bindMount(Path source, String destination, boolean readOnly) {
        if (!source.isAbsolute()) {
            throw new IllegalArgumentException("bind mount source " + source + " is not absolute: give the host path in full");
        }
        List<String> options = new ArrayList<>(List.of("rbind", "rprivate"));
        options.add(readOnly ? "ro" : "rw");
        return mount(new Spec.Mount(destination, "bind", source.toString(), options));
    }

    /** A tmpfs at {@code destination} (an emptyDir in memory), with options such as {@code "size=64m"}; nosuid and nodev always. */
    public SpecBuilder tmpfs(String destination, String... options) {
        List<String> all = new ArrayList<>(List.of("nosuid", "nodev"));
        all.addAll(Arrays.asList(options));
        return mount(new Spec.Mount(destination, "tmpfs", "tmpfs", all));
    }

    /** Replaces every mount (the default ones too). */
    public SpecBuilder mounts(List<Spec.Mount> mounts) {
        mounts.forEach(m -> checkDestination(Objects.requireNonNull(m, "mount").destination()));
        this.mounts.clear();
        this.mounts.addAll(mounts);
        return this;
    }

    public SpecBuilder hooks(Spec.Hooks hooks) {
        this.hooks = hooks;
        return this;
    }

    public SpecBuilder annotation(String key, String value) {
        Objects.requireNonNull(key, "annotation key");
        Objects.requireNonNull(value, "annotation " + key);
        annotations.put(key, value);
        return this;
    }

    // --- linux: namespaces, cgroup, limits ---

    /** A new namespace of {@code type} (pid, network, mount, ipc, uts, cgroup, user), replacing a join of that type. */
    public SpecBuilder namespace(String type) {
        return setNamespace(type, null);
    }

    /**
     * Joins an existing namespace instead of making one: {@code path} is its file, such as
     * {@code /proc/PID/ns/net} of a pod's sandbox or a CNI's {@code /run/netns/NAME}.
     */
    public SpecBuilder joinNamespace(String type, Path path) {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("namespace path " + path + " is not absolute: give the namespace file's full path, e.g. /proc/PID/ns/net");
        }
        return setNamespace(type, path.toString());
    }

    /** Neither makes nor joins a namespace of {@code type}: the container shares the runtime's. */
    public SpecBuilder withoutNamespace(String type) {
        checkNamespaceType(type);
        namespaces.removeIf(n -> type.equals(n.type()));
        hasLinux = true;
        return this;
    }

    /** The container's cgroup, relative to the hierarchy roots; default: the runtime's cgroup parent + the id. */
    public SpecBuilder cgroupsPath(String cgroupsPath) {
        this.cgroupsPath = cgroupsPath;
        hasLinux = true;
        return this;
    }

    /** The memory limit in bytes (the OOM killer acts above it). */
    public SpecBuilder memoryLimit(long bytes) {
        positive("memory limit", bytes, "bytes");
        Spec.Memory m = memory();
        return memory(new Spec.Memory(bytes, m.reservation(), m.swap(), m.kernel(), m.kernelTcp(), m.swappiness(),
                m.disableOomKiller(), m.useHierarchy(), m.checkBeforeUpdate()));
    }

    /** Memory plus swap, in bytes: equal to the limit means no swap; -1 unlimited. */
    public SpecBuilder memorySwap(long bytes) {
        if (bytes != -1) {
            positive("memory+swap limit", bytes, "bytes (or -1 for unlimited)");
        }
        Spec.Memory m = memory();
        return memory(new Spec.Memory(m.limit(), m.reservation(), bytes, m.kernel(), m.kernelTcp(), m.swappiness(),
                m.disableOomKiller(), m.useHierarchy(), m.checkBeforeUpdate()));
    }

    /** The relative CPU weight (cgroup v1 cpu.shares, 2..262144; Kubernetes' requests.cpu as 1024 per core). */
    public SpecBuilder cpuShares(long shares) {
        if (shares < 2 || shares > 262144) {
            throw new IllegalArgumentException("cpu shares " + shares + " is invalid: give 2..262144 (1024 per core)");
        }
        Spec.Cpu c = cpu();
        return cpu(new Spec.Cpu(shares, c.quota(), c.burst(), c.period(), c.realtimeRuntime(), c.realtimePeriod(), c.cpus(),
                c.mems(), c.idle()));
    }

    /**
     * At most {@code quotaMicros} of CPU time every {@code periodMicros} (Kubernetes' limits.cpu:
     * 0.5 core is 50000 per 100000).
     */
    public SpecBuilder cpuQuota(long quotaMicros, long periodMicros) {
        if (periodMicros < 1000 || periodMicros > 1_000_000) {
            throw new IllegalArgumentException("cpu period " + periodMicros + " is invalid: give 1000 to 1000000 microseconds");
        }
        if (quotaMicros < 1000) {
            throw new IllegalArgumentException("cpu quota " + quotaMicros + " is invalid: give at least 1000 microseconds");
        }
        Spec.Cpu c = cpu();
        return cpu(new Spec.Cpu(c.shares(), quotaMicros, c.burst(), periodMicros, c.realtimeRuntime(), c.realtimePeriod(),
                c.cpus(), c.mems(), c.idle()));
    }

    /** The CPUs it may run on, as cpuset writes them ("0-1", "0,2"). */
    public SpecBuilder cpus(String cpus) {
        if (cpus == null || !cpus.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            throw new IllegalArgumentException("cpus '" + cpus + "' is invalid: give a list such as 0-1 or 0,2");
        }
        Spec.Cpu c = cpu();
        return cpu(new Spec.Cpu(c.shares(), c.quota(), c.burst(), c.period(), c.realtimeRuntime(), c.realtimePeriod(), cpus,
                c.mems(), c.idle()));
    }

    /** The most processes and threads the container may have at once. */
    public SpecBuilder pidsLimit(long limit) {
        positive("pids limit", limit, "processes");
        return resources(r -> new Spec.Resources(r.devices(), r.memory(), r.cpu(), new Spec.Pids(limit), r.blockIO(),
                r.hugepageLimits(), r.network(), r.rdma(), r.unified()));
    }

    /** Replaces linux.resources as a whole. */
    public SpecBuilder resources(Spec.Resources resources) {
        return resources(r -> resources);
    }

    public SpecBuilder seccomp(Spec.Seccomp seccomp) {
        this.seccomp = seccomp;
        hasLinux = true;
        return this;
    }

    /** Device nodes to create in the container's /dev (the cgroup's device rules are {@link #resources}). */
    public SpecBuilder devices(List<Spec.Device> devices) {
        this.devices = devices;
        hasLinux = true;
        return this;
    }

    /** Namespaced sysctls to set (the whole map). */
    public SpecBuilder sysctl(Map<String, String> sysctl) {
        this.sysctl = sysctl;
        hasLinux = true;
        return this;
    }

    /** The uid and gid maps of a user namespace (new or joined), replacing any before. */
    public SpecBuilder idMappings(List<Spec.IdMapping> uidMappings, List<Spec.IdMapping> gidMappings) {
        this.uidMappings = uidMappings;
        this.gidMappings = gidMappings;
        hasLinux = true;
        return this;
    }

    /** private, rprivate, slave, rslave (the default when null), shared, rshared, unbindable, runbindable. */
    public SpecBuilder rootfsPropagation(String propagation) {
        this.rootfsPropagation = propagation;
        hasLinux = true;
        return this;
    }

    public Spec build() {
        Spec.Linux l = !hasLinux ? null : new Spec.Linux(namespaces, uidMappings, gidMappings, timeOffsets, devices, cgroupsPath,
                resources, rootfsPropagation, seccomp, sysctl, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality);
        Spec.Process p = hadProcess || processTouched ? process.build() : null;
        return new Spec(ociVersion, p, root, hostname, domainname, mounts, hooks, annotations, l);
    }

    private SpecBuilder setNamespace(String type, String path) {
        checkNamespaceType(type);
        hasLinux = true;
        Spec.Namespace ns = new Spec.Namespace(type, path);
        for (int i = 0; i < namespaces.size(); i++) {
            if (type.equals(namespaces.get(i).type())) {
                namespaces.set(i, ns);
                return this;
            }
        }
        namespaces.add(ns);
        return this;
    }

    private static void checkNamespaceType(String type) {
        if (!SpecValidator.NAMESPACE_TYPES.contains(type)) {
            throw new IllegalArgumentException("namespace type '" + type + "' is unknown: use one of pid, network, mount, ipc, uts, cgroup, user");
        }
    }

    private static void checkDestination(String destination) {
        if (destination == null || !destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination '" + destination + "' is not absolute: give a path inside the container");
        }
    }

    private static void positive(String what, long value, String unit) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " " + value + " is invalid: give a positive number of " + unit);
        }
    }

    private Spec.Memory memory() {
        Spec.Resources r = resources;
        return r != null && r.memory() != null ? r.memory() : new Spec.Memory(null, null, null, null, null, null, null, null, null);
    }

    private SpecBuilder memory(Spec.Memory m) {
        return resources(r -> new Spec.Resources(r.devices(), m, r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified()));
    }

    private Spec.Cpu cpu() {
        Spec.Resources r = resources;
        return r != null && r.cpu() != null ? r.cpu() : new Spec.Cpu(null, null, null, null, null, null, null, null, null);
    }

    private SpecBuilder cpu(Spec.Cpu c) {
        return resources(r -> new Spec.Resources(r.devices(), r.memory(), c, r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified()));
    }

    /** Changes linux.resources, made empty first when there is none. */
    private SpecBuilder resources(UnaryOperator<Spec.Resources> change) {
        Spec.Resources r = resources != null ? resources : new Spec.Resources(null, null, null, null, null, null, null, null, null);
        resources = change.apply(r);
        hasLinux = true;
        return this;
    }
}
