package io.berth.runtime.oci;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonValue;
import io.berth.runtime.json.JsonWritable;
import io.berth.runtime.linux.DeviceNode;

/**
 * The OCI runtime spec ({@code config.json}), as far as Berth reads it. Settings that the spec
 * defines but Berth does not implement are still modelled (as plain JSON values: Map, List,
 * String, Number, Boolean, see {@link JsonValue#asPlain()}) so that {@link SpecValidator} can refuse
 * them by name instead of silently dropping a security setting. Properties the spec does not
 * define are ignored, as the spec requires.
 *
 * <p>Each record says its JSON names in its {@code read} and {@code writeJson}, side by side. What
 * is written follows runc: empty strings, lists and maps and absent values are left out, except
 * where a record says otherwise (Capabilities keeps an empty set: an empty set is a setting).
 */
public record Spec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) implements JsonWritable {

    public Spec {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        annotations = orderedCopy(annotations);
    }

    /** A builder that starts from this spec: {@code spec.toBuilder().args("sh", "-c", "...").build()}. */
    public SpecBuilder toBuilder() {
        return new SpecBuilder(this);
    }

    /** The whole document: {@code v} is an object. Nested records read null (absent) as null. */
    static Spec read(JsonValue v) {
        return new Spec(v.string("ociVersion"), Process.read(v.object("process")), Root.read(v.object("root")),
                v.string("hostname"), v.string("domainname"), Mount.list(v.array("mounts")), Hooks.read(v.object("hooks")),
                v.stringMap("annotations"), Linux.read(v.object("linux")));
    }

    @Override
    public void writeJson(JsonOut out) {
        out.startObject()
                .nonEmpty("ociVersion", ociVersion)
                .nonEmpty("process", process)
                .nonEmpty("root", root)
                .nonEmpty("hostname", hostname)
                .nonEmpty("domainname", domainname)
                .nonEmpty("mounts", mounts)
                .nonEmpty("hooks", hooks)
                .nonEmpty("annotations", annotations)
                .nonEmpty("linux", linux)
                .endObject();
    }

    /**
     * POSIX platform hooks (config.md#posix-platform-hooks): programs the runtime runs at points of
     * the lifecycle. Absent lists read as empty; {@code prestart} is the deprecated name of the
     * moment createRuntime also runs at.
     */
    public record Hooks(
            List<Hook> prestart,
            List<Hook> createRuntime,
            List<Hook> createContainer,
            List<Hook> startContainer,
            List<Hook> poststart,
            List<Hook> poststop) implements JsonWritable {

        public Hooks {
            prestart = prestart == null ? List.of() : List.copyOf(prestart);
            createRuntime = createRuntime == null ? List.of() : List.copyOf(createRuntime);
            createContainer = createContainer == null ? List.of() : List.copyOf(createContainer);
            startContainer = startContainer == null ? List.of() : List.copyOf(startContainer);
            poststart = poststart == null ? List.of() : List.copyOf(poststart);
            poststop = poststop == null ? List.of() : List.copyOf(poststop);
        }

        static Hooks read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Hooks(Hook.list(v.array("prestart")), Hook.list(v.array("createRuntime")),
                    Hook.list(v.array("createContainer")), Hook.list(v.array("startContainer")),
                    Hook.list(v.array("poststart")), Hook.list(v.array("poststop")));
        }

        public boolean isEmpty() {
            return prestart.isEmpty() && createRuntime.isEmpty() && createContainer.isEmpty()
                    && startContainer.isEmpty() && poststart.isEmpty() && poststop.isEmpty();
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("prestart", prestart)
                    .nonEmpty("createRuntime", createRuntime)
                    .nonEmpty("createContainer", createContainer)
                    .nonEmpty("startContainer", startContainer)
                    .nonEmpty("poststart", poststart)
                    .nonEmpty("poststop", poststop)
                    .endObject();
        }
    }

    /**
     * One hook: {@code path} is executed with {@code args} as its argv and exactly {@code env};
     * {@code timeout} in seconds, null for none.
     */
    public record Hook(String path, List<String> args, List<String> env, Integer timeout) implements JsonWritable {
        public Hook {
            args = args == null ? List.of() : List.copyOf(args);
            env = env == null ? List.of() : List.copyOf(env);
        }

        static List<Hook> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<Hook> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static Hook read(JsonValue v) {
            v.asObject();
            return new Hook(v.string("path"), v.strings("args"), v.strings("env"), v.int32OrNull("timeout"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("path", path)
                    .nonEmpty("args", args)
                    .nonEmpty("env", env)
                    .nonNull("timeout", timeout)
                    .endObject();
        }
    }

    public record Process(
            boolean terminal,
            ConsoleSize consoleSize,
            User user,
            List<String> args,
            String commandLine,
            List<String> env,
            String cwd,
            Capabilities capabilities,
            List<Rlimit> rlimits,
            boolean noNewPrivileges,
            String apparmorProfile,
            Integer oomScoreAdj,
            String selinuxLabel,
            Object ioPriority,
            Object scheduler,
            Object execCpuAffinity) implements JsonWritable {

        public Process {
            args = args == null ? List.of() : List.copyOf(args);
            env = env == null ? List.of() : List.copyOf(env);
            rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
            user = user == null ? new User(0, 0, null, List.of(), null) : user;
        }

        /** A builder that starts from this process (an exec's from the container's own, say). */
        public ProcessSpecBuilder toBuilder() {
            return new ProcessSpecBuilder(this);
        }

        static Process read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Process(v.bool("terminal"), ConsoleSize.read(v.object("consoleSize")), User.read(v.object("user")),
                    v.strings("args"), v.string("commandLine"), v.strings("env"), v.string("cwd"),
                    Capabilities.read(v.object("capabilities")), Rlimit.list(v.array("rlimits")), v.bool("noNewPrivileges"),
                    v.string("apparmorProfile"), v.int32OrNull("oomScoreAdj"), v.string("selinuxLabel"),
                    v.plain("ioPriority"), v.plain("scheduler"), v.plain("execCPUAffinity"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .field("terminal", terminal)
                    .nonEmpty("consoleSize", consoleSize)
                    .nonEmpty("user", user)
                    .nonEmpty("args", args)
                    .nonEmpty("commandLine", commandLine)
                    .nonEmpty("env", env)
                    .nonEmpty("cwd", cwd)
                    .nonEmpty("capabilities", capabilities)
                    .nonEmpty("rlimits", rlimits)
                    .field("noNewPrivileges", noNewPrivileges)
                    .nonEmpty("apparmorProfile", apparmorProfile)
                    .nonEmpty("oomScoreAdj", oomScoreAdj)
                    .nonEmpty("selinuxLabel", selinuxLabel)
                    .nonEmpty("ioPriority", ioPriority)
                    .nonEmpty("scheduler", scheduler)
                    .nonEmpty("execCPUAffinity", execCpuAffinity)
                    .endObject();
        }
    }

    /** The terminal's size; only meaningful with {@code terminal: true}. */
    public record ConsoleSize(int height, int width) implements JsonWritable {
        static ConsoleSize read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new ConsoleSize(v.int32("height"), v.int32("width"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("height", height).field("width", width).endObject();
        }
    }

    public record User(long uid, long gid, Integer umask, List<Long> additionalGids, String username) implements JsonWritable {
        public User {
            additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
        }

        static User read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new User(v.int64("uid"), v.int64("gid"), v.int32OrNull("umask"),
                    v.int64s("additionalGids"), v.string("username"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .field("uid", uid)
                    .field("gid", gid)
                    .nonEmpty("umask", umask)
                    .nonEmpty("additionalGids", additionalGids)
                    .nonEmpty("username", username)
                    .endObject();
        }
    }

    /** Capability names as the spec writes them ({@code CAP_CHOWN}); each set is exact, so [] is kept. */
    public record Capabilities(
            List<String> bounding,
            List<String> effective,
            List<String> inheritable,
            List<String> permitted,
            List<String> ambient) implements JsonWritable {

        static Capabilities read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Capabilities(v.strings("bounding"), v.strings("effective"), v.strings("inheritable"),
                    v.strings("permitted"), v.strings("ambient"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonNull("bounding", bounding)
                    .nonNull("effective", effective)
                    .nonNull("inheritable", inheritable)
                    .nonNull("permitted", permitted)
                    .nonNull("ambient", ambient)
                    .endObject();
        }
    }

    /** {@code hard} and {@code soft} are the spec's uint64: RLIM_INFINITY (2^64-1) is -1 here. */
    public record Rlimit(String type, long hard, long soft) implements JsonWritable {
        static List<Rlimit> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<Rlimit> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static Rlimit read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Rlimit(v.string("type"), v.uint64("hard"), v.uint64("soft"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("type", type).fieldUnsigned("hard", hard).fieldUnsigned("soft", soft).endObject();
        }
    }

    public record Root(String path, boolean readonly) implements JsonWritable {
        static Root read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Root(v.string("path"), v.bool("readonly"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("path", path).field("readonly", readonly).endObject();
        }
    }

    public record Mount(
            String destination,
            String type,
            String source,
            List<String> options,
            Object uidMappings,
            Object gidMappings) implements JsonWritable {

        public Mount {
            options = options == null ? List.of() : List.copyOf(options);
        }

        public Mount(String destination, String type, String source, List<String> options) {
            this(destination, type, source, options, null, null);
        }

        static List<Mount> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<Mount> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static Mount read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Mount(v.string("destination"), v.string("type"), v.string("source"), v.strings("options"),
                    v.plain("uidMappings"), v.plain("gidMappings"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("destination", destination)
                    .nonEmpty("type", type)
                    .nonEmpty("source", source)
                    .nonEmpty("options", options)
                    .nonEmpty("uidMappings", uidMappings)
                    .nonEmpty("gidMappings", gidMappings)
                    .endObject();
        }
    }

    public record Linux(
            List<Namespace> namespaces,
            List<IdMapping> uidMappings,
            List<IdMapping> gidMappings,
            Object timeOffsets,
            List<Device> devices,
            String cgroupsPath,
            Resources resources,
            String rootfsPropagation,
            Seccomp seccomp,
            Map<String, String> sysctl,
            List<String> maskedPaths,
            List<String> readonlyPaths,
            String mountLabel,
            Object intelRdt,
            Object personality) implements JsonWritable {

        public Linux {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
            uidMappings = uidMappings == null ? List.of() : List.copyOf(uidMappings);
            gidMappings = gidMappings == null ? List.of() : List.copyOf(gidMappings);
            devices = devices == null ? List.of() : List.copyOf(devices);
            sysctl = orderedCopy(sysctl);
            maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
            readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
        }

        static Linux read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Linux(Namespace.list(v.array("namespaces")), IdMapping.list(v.array("uidMappings")),
                    IdMapping.list(v.array("gidMappings")),
                    v.plain("timeOffsets"), Device.list(v.array("devices")), v.string("cgroupsPath"),
                    Resources.read(v.object("resources")), v.string("rootfsPropagation"), Seccomp.read(v.object("seccomp")),
                    v.stringMap("sysctl"), v.strings("maskedPaths"), v.strings("readonlyPaths"), v.string("mountLabel"),
                    v.plain("intelRdt"), v.plain("personality"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("namespaces", namespaces)
                    .nonEmpty("uidMappings", uidMappings)
                    .nonEmpty("gidMappings", gidMappings)
                    .nonEmpty("timeOffsets", timeOffsets)
                    .nonEmpty("devices", devices)
                    .nonEmpty("cgroupsPath", cgroupsPath)
                    .nonEmpty("resources", resources)
                    .nonEmpty("rootfsPropagation", rootfsPropagation)
                    .nonEmpty("seccomp", seccomp)
                    .nonEmpty("sysctl", sysctl)
                    .nonEmpty("maskedPaths", maskedPaths)
                    .nonEmpty("readonlyPaths", readonlyPaths)
                    .nonEmpty("mountLabel", mountLabel)
                    .nonEmpty("intelRdt", intelRdt)
                    .nonEmpty("personality", personality)
                    .endObject();
        }
    }

    /** One line of a user namespace's uid_map or gid_map: containerID..+size are hostID..+size outside. */
    public record IdMapping(long containerID, long hostID, long size) implements JsonWritable {
        static List<IdMapping> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<IdMapping> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(new IdMapping(v.int64("containerID"), v.int64("hostID"), v.int64("size")));
            }
            return list;
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("containerID", containerID).field("hostID", hostID).field("size", size).endObject();
        }
    }

    /**
     * linux.seccomp. Numbers the spec types as uint64 ({@code value}, {@code valueTwo}) are
     * BigInteger so 0xffffffffffffffff parses; io.berth.runtime.seccomp validates and compiles it.
     */
    public record Seccomp(
            String defaultAction,
            Integer defaultErrnoRet,
            List<String> architectures,
            List<String> flags,
            String listenerPath,
            String listenerMetadata,
            List<SeccompSyscall> syscalls) implements JsonWritable {

        public Seccomp {
            architectures = architectures == null ? List.of() : List.copyOf(architectures);
            flags = flags == null ? List.of() : List.copyOf(flags);
            syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
        }

        static Seccomp read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Seccomp(v.string("defaultAction"), v.int32OrNull("defaultErrnoRet"), v.strings("architectures"),
                    v.strings("flags"), v.string("listenerPath"), v.string("listenerMetadata"),
                    SeccompSyscall.list(v.array("syscalls")));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("defaultAction", defaultAction)
                    .nonEmpty("defaultErrnoRet", defaultErrnoRet)
                    .nonEmpty("architectures", architectures)
                    .nonEmpty("flags", flags)
                    .nonEmpty("listenerPath", listenerPath)
                    .nonEmpty("listenerMetadata", listenerMetadata)
                    .nonEmpty("syscalls", syscalls)
                    .endObject();
        }
    }

    public record SeccompSyscall(List<String> names, String action, Integer errnoRet, List<SeccompArg> args) implements JsonWritable {
        public SeccompSyscall {
            names = names == null ? List.of() : List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }

        static List<SeccompSyscall> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<SeccompSyscall> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static SeccompSyscall read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new SeccompSyscall(v.strings("names"), v.string("action"), v.int32OrNull("errnoRet"), SeccompArg.list(v.array("args")));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("names", names)
                    .nonEmpty("action", action)
                    .nonEmpty("errnoRet", errnoRet)
                    .nonEmpty("args", args)
                    .endObject();
        }
    }

    public record SeccompArg(Integer index, BigInteger value, BigInteger valueTwo, String op) implements JsonWritable {
        static List<SeccompArg> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<SeccompArg> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static SeccompArg read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new SeccompArg(v.int32OrNull("index"), v.bigInteger("value"), v.bigInteger("valueTwo"), v.string("op"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonNull("index", index)
                    .nonNull("value", value)
                    .nonNull("valueTwo", valueTwo)
                    .nonNull("op", op)
                    .endObject();
        }
    }

    public record Namespace(String type, String path) implements JsonWritable {
        static List<Namespace> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<Namespace> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static Namespace read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Namespace(v.string("type"), v.string("path"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().nonEmpty("type", type).nonEmpty("path", path).endObject();
        }
    }

    public record Device(String type, String path, Long major, Long minor, Integer fileMode, Long uid, Long gid) implements JsonWritable {
        static List<Device> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<Device> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static Device read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Device(v.string("type"), v.string("path"), v.int64OrNull("major"), v.int64OrNull("minor"),
                    v.int32OrNull("fileMode"), v.int64OrNull("uid"), v.int64OrNull("gid"));
        }

        /**
         * The node to create, with runc's defaults: mode 0666 (file-type bits in fileMode ignored),
         * owner 0:0. Throws IllegalArgumentException naming the entry when it cannot be made.
         */
        public DeviceNode toNode() {
            DeviceNode.Type t;
            try {
                t = DeviceNode.Type.parse(type);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("device " + path + ": " + e.getMessage(), e);
            }
            if (t != DeviceNode.Type.FIFO && (major == null || minor == null)) {
                throw new IllegalArgumentException("device " + path + " of type " + type + " needs major and minor numbers");
            }
            int mode = fileMode == null ? 0666 : fileMode & ~0170000;
            return new DeviceNode(path, t, major == null ? 0 : major, minor == null ? 0 : minor, mode,
                    id(uid), id(gid));
        }

        private int id(Long id) {
            if (id == null) {
                return 0;
            }
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("device " + path + " owner id " + id + " is invalid: ids must be 0.." + Integer.MAX_VALUE);
            }
            return id.intValue();
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonNull("type", type)
                    .nonNull("path", path)
                    .nonNull("major", major)
                    .nonNull("minor", minor)
                    .nonNull("fileMode", fileMode)
                    .nonNull("uid", uid)
                    .nonNull("gid", gid)
                    .endObject();
        }
    }

    public record Resources(
            List<DeviceRule> devices,
            Memory memory,
            Cpu cpu,
            Pids pids,
            Object blockIO,
            Object hugepageLimits,
            Object network,
            Object rdma,
            Map<String, String> unified) implements JsonWritable {

        public Resources {
            devices = devices == null ? List.of() : List.copyOf(devices);
            unified = orderedCopy(unified);
        }

        static Resources read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Resources(DeviceRule.list(v.array("devices")), Memory.read(v.object("memory")), Cpu.read(v.object("cpu")),
                    Pids.read(v.object("pids")), v.plain("blockIO"), v.plain("hugepageLimits"), v.plain("network"),
                    v.plain("rdma"), v.stringMap("unified"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonEmpty("devices", devices)
                    .nonEmpty("memory", memory)
                    .nonEmpty("cpu", cpu)
                    .nonEmpty("pids", pids)
                    .nonEmpty("blockIO", blockIO)
                    .nonEmpty("hugepageLimits", hugepageLimits)
                    .nonEmpty("network", network)
                    .nonEmpty("rdma", rdma)
                    .nonEmpty("unified", unified)
                    .endObject();
        }
    }

    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) implements JsonWritable {
        static List<DeviceRule> list(List<JsonValue> array) {
            if (array == null) {
                return null;
            }
            List<DeviceRule> list = new ArrayList<>(array.size());
            for (JsonValue v : array) {
                list.add(read(v));
            }
            return list;
        }

        static DeviceRule read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new DeviceRule(v.bool("allow"), v.string("type"), v.int64OrNull("major"), v.int64OrNull("minor"), v.string("access"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .field("allow", allow)
                    .nonNull("type", type)
                    .nonNull("major", major)
                    .nonNull("minor", minor)
                    .nonNull("access", access)
                    .endObject();
        }
    }

    public record Memory(
            Long limit,
            Long reservation,
            Long swap,
            Long kernel,
            Long kernelTcp,
            Long swappiness,
            Boolean disableOomKiller,
            Boolean useHierarchy,
            Boolean checkBeforeUpdate) implements JsonWritable {

        static Memory read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Memory(v.int64OrNull("limit"), v.int64OrNull("reservation"), v.int64OrNull("swap"), v.int64OrNull("kernel"),
                    v.int64OrNull("kernelTCP"), swappiness(v.get("swappiness")), v.boolOrNull("disableOOMKiller"),
                    v.boolOrNull("useHierarchy"), v.boolOrNull("checkBeforeUpdate"));
        }

        /** The spec's uint64, whose 2^64-1 runc reads as int64 -1, "leave it alone"; a literal -1 means the same. */
        private static Long swappiness(JsonValue s) {
            if (s == null) {
                return null;
            }
            return s.asBigInteger().signum() < 0 ? s.asInt64() : s.asUint64();
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonNull("limit", limit)
                    .nonNull("reservation", reservation)
                    .nonNull("swap", swap)
                    .nonNull("kernel", kernel)
                    .nonNull("kernelTCP", kernelTcp);
            if (swappiness != null) {
                out.fieldUnsigned("swappiness", swappiness);
            }
            out.nonNull("disableOOMKiller", disableOomKiller)
                    .nonNull("useHierarchy", useHierarchy)
                    .nonNull("checkBeforeUpdate", checkBeforeUpdate)
                    .endObject();
        }
    }

    public record Cpu(
            Long shares,
            Long quota,
            Long burst,
            Long period,
            Long realtimeRuntime,
            Long realtimePeriod,
            String cpus,
            String mems,
            Long idle) implements JsonWritable {

        static Cpu read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Cpu(v.int64OrNull("shares"), v.int64OrNull("quota"), v.int64OrNull("burst"), v.int64OrNull("period"),
                    v.int64OrNull("realtimeRuntime"), v.int64OrNull("realtimePeriod"), v.string("cpus"), v.string("mems"),
                    v.int64OrNull("idle"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject()
                    .nonNull("shares", shares)
                    .nonNull("quota", quota)
                    .nonNull("burst", burst)
                    .nonNull("period", period)
                    .nonNull("realtimeRuntime", realtimeRuntime)
                    .nonNull("realtimePeriod", realtimePeriod)
                    .nonNull("cpus", cpus)
                    .nonNull("mems", mems)
                    .nonNull("idle", idle)
                    .endObject();
        }
    }

    public record Pids(long limit) implements JsonWritable {
        static Pids read(JsonValue v) {
            if (v == null) {
                return null;
            }
            return new Pids(v.int64("limit"));
        }

        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("limit", limit).endObject();
        }
    }

    /**
     * An unmodifiable copy that keeps the document's order (Map.copyOf's order changes from one JVM
     * to the next, and so would every config.json and state the runtime writes); empty for null.
     */
    public static <K, V> Map<K, V> orderedCopy(Map<K, V> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
