package io.berth.runtime.oci;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import tools.jackson.databind.JsonNode;

/**
 * The OCI runtime spec ({@code config.json}), as far as Berth reads it. Settings that the spec
 * defines but Berth does not implement are still modelled (as raw JSON where their shape does not
 * matter) so that {@link SpecValidator} can refuse them by name instead of silently dropping a
 * security setting. Properties the spec does not define are ignored, as the spec requires.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Spec(
        @JsonProperty("ociVersion") String ociVersion,
        @JsonProperty("process") Process process,
        @JsonProperty("root") Root root,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("domainname") String domainname,
        @JsonProperty("mounts") List<Mount> mounts,
        @JsonProperty("hooks") JsonNode hooks,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("linux") Linux linux) {

    public Spec {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Process(
            @JsonProperty("terminal") boolean terminal,
            @JsonProperty("consoleSize") ConsoleSize consoleSize,
            @JsonProperty("user") User user,
            @JsonProperty("args") List<String> args,
            @JsonProperty("commandLine") String commandLine,
            @JsonProperty("env") List<String> env,
            @JsonProperty("cwd") String cwd,
            @JsonProperty("capabilities") Capabilities capabilities,
            @JsonProperty("rlimits") List<Rlimit> rlimits,
            @JsonProperty("noNewPrivileges") boolean noNewPrivileges,
            @JsonProperty("apparmorProfile") String apparmorProfile,
            @JsonProperty("oomScoreAdj") Integer oomScoreAdj,
            @JsonProperty("selinuxLabel") String selinuxLabel,
            @JsonProperty("ioPriority") JsonNode ioPriority,
            @JsonProperty("scheduler") JsonNode scheduler,
            @JsonProperty("execCPUAffinity") JsonNode execCpuAffinity) {

        public Process {
            args = args == null ? List.of() : List.copyOf(args);
            env = env == null ? List.of() : List.copyOf(env);
            rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
            user = user == null ? new User(0, 0, null, List.of(), null) : user;
        }
    }

    /** The terminal's size; only meaningful with {@code terminal: true}. */
    public record ConsoleSize(
            @JsonProperty("height") int height,
            @JsonProperty("width") int width) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record User(
            @JsonProperty("uid") long uid,
            @JsonProperty("gid") long gid,
            @JsonProperty("umask") Integer umask,
            @JsonProperty("additionalGids") List<Long> additionalGids,
            @JsonProperty("username") String username) {

        public User {
            additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
        }
    }

    /** Capability names as the spec writes them ({@code CAP_CHOWN}); each set is exact. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(
            @JsonProperty("bounding") List<String> bounding,
            @JsonProperty("effective") List<String> effective,
            @JsonProperty("inheritable") List<String> inheritable,
            @JsonProperty("permitted") List<String> permitted,
            @JsonProperty("ambient") List<String> ambient) {
    }

    public record Rlimit(
            @JsonProperty("type") String type,
            @JsonProperty("hard") long hard,
            @JsonProperty("soft") long soft) {
    }

    public record Root(
            @JsonProperty("path") String path,
            @JsonProperty("readonly") boolean readonly) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Mount(
            @JsonProperty("destination") String destination,
            @JsonProperty("type") String type,
            @JsonProperty("source") String source,
            @JsonProperty("options") List<String> options,
            @JsonProperty("uidMappings") JsonNode uidMappings,
            @JsonProperty("gidMappings") JsonNode gidMappings) {

        public Mount {
            options = options == null ? List.of() : List.copyOf(options);
        }

        public Mount(String destination, String type, String source, List<String> options) {
            this(destination, type, source, options, null, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Linux(
            @JsonProperty("namespaces") List<Namespace> namespaces,
            @JsonProperty("uidMappings") JsonNode uidMappings,
            @JsonProperty("gidMappings") JsonNode gidMappings,
            @JsonProperty("timeOffsets") JsonNode timeOffsets,
            @JsonProperty("devices") List<Device> devices,
            @JsonProperty("cgroupsPath") String cgroupsPath,
            @JsonProperty("resources") Resources resources,
            @JsonProperty("rootfsPropagation") String rootfsPropagation,
            @JsonProperty("seccomp") Seccomp seccomp,
            @JsonProperty("sysctl") Map<String, String> sysctl,
            @JsonProperty("maskedPaths") List<String> maskedPaths,
            @JsonProperty("readonlyPaths") List<String> readonlyPaths,
            @JsonProperty("mountLabel") String mountLabel,
            @JsonProperty("intelRdt") JsonNode intelRdt,
            @JsonProperty("personality") JsonNode personality) {

        public Linux {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
            devices = devices == null ? List.of() : List.copyOf(devices);
            sysctl = sysctl == null ? Map.of() : Map.copyOf(sysctl);
            maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
            readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
        }
    }

    /**
     * linux.seccomp. Numbers the spec types as uint64 ({@code value}, {@code valueTwo}) are
     * BigInteger so 0xffffffffffffffff parses; io.berth.runtime.seccomp validates and compiles it.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Seccomp(
            @JsonProperty("defaultAction") String defaultAction,
            @JsonProperty("defaultErrnoRet") Integer defaultErrnoRet,
            @JsonProperty("architectures") List<String> architectures,
            @JsonProperty("flags") List<String> flags,
            @JsonProperty("listenerPath") String listenerPath,
            @JsonProperty("listenerMetadata") String listenerMetadata,
            @JsonProperty("syscalls") List<SeccompSyscall> syscalls) {

        public Seccomp {
            architectures = architectures == null ? List.of() : List.copyOf(architectures);
            flags = flags == null ? List.of() : List.copyOf(flags);
            syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record SeccompSyscall(
            @JsonProperty("names") List<String> names,
            @JsonProperty("action") String action,
            @JsonProperty("errnoRet") Integer errnoRet,
            @JsonProperty("args") List<SeccompArg> args) {

        public SeccompSyscall {
            names = names == null ? List.of() : List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SeccompArg(
            @JsonProperty("index") Integer index,
            @JsonProperty("value") BigInteger value,
            @JsonProperty("valueTwo") BigInteger valueTwo,
            @JsonProperty("op") String op) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Namespace(
            @JsonProperty("type") String type,
            @JsonProperty("path") String path) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(
            @JsonProperty("type") String type,
            @JsonProperty("path") String path,
            @JsonProperty("major") Long major,
            @JsonProperty("minor") Long minor,
            @JsonProperty("fileMode") Integer fileMode,
            @JsonProperty("uid") Long uid,
            @JsonProperty("gid") Long gid) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Resources(
            @JsonProperty("devices") List<DeviceRule> devices,
            @JsonProperty("memory") Memory memory,
            @JsonProperty("cpu") Cpu cpu,
            @JsonProperty("pids") Pids pids,
            @JsonProperty("blockIO") JsonNode blockIO,
            @JsonProperty("hugepageLimits") JsonNode hugepageLimits,
            @JsonProperty("network") JsonNode network,
            @JsonProperty("rdma") JsonNode rdma,
            @JsonProperty("unified") Map<String, String> unified) {

        public Resources {
            devices = devices == null ? List.of() : List.copyOf(devices);
            unified = unified == null ? Map.of() : Map.copyOf(unified);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(
            @JsonProperty("allow") boolean allow,
            @JsonProperty("type") String type,
            @JsonProperty("major") Long major,
            @JsonProperty("minor") Long minor,
            @JsonProperty("access") String access) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(
            @JsonProperty("limit") Long limit,
            @JsonProperty("reservation") Long reservation,
            @JsonProperty("swap") Long swap,
            @JsonProperty("kernel") Long kernel,
            @JsonProperty("kernelTCP") Long kernelTcp,
            @JsonProperty("swappiness") Long swappiness,
            @JsonProperty("disableOOMKiller") Boolean disableOomKiller,
            @JsonProperty("useHierarchy") Boolean useHierarchy,
            @JsonProperty("checkBeforeUpdate") Boolean checkBeforeUpdate) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(
            @JsonProperty("shares") Long shares,
            @JsonProperty("quota") Long quota,
            @JsonProperty("burst") Long burst,
            @JsonProperty("period") Long period,
            @JsonProperty("realtimeRuntime") Long realtimeRuntime,
            @JsonProperty("realtimePeriod") Long realtimePeriod,
            @JsonProperty("cpus") String cpus,
            @JsonProperty("mems") String mems,
            @JsonProperty("idle") Long idle) {
    }

    public record Pids(@JsonProperty("limit") long limit) {
    }
}
