package io.berth.orchestrator.kuberuntime;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.berth.image.manifest.ImageConfig;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * A pod's container as an OCI spec (the kubelet's kuberuntime_container.go generateContainerConfig
 * plus what containerd's CRI plugin adds): the image's entrypoint, cmd, env and working directory
 * under Kubernetes' rules, the sandbox's namespaces joined by path, limits from resources.
 */
public final class ContainerSpecs {
    /** Annotations that name what a runtime container belongs to (what repairs look for after a crash). */
    public static final String POD_UID = "io.kubernetes.pod.uid";
    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String CONTAINER_NAME = "io.kubernetes.container.name";
    public static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";
    /**
     * The main process's working directory, where an exec starts as with runc exec (which reads it
     * from config.json): the spec is built in memory and not kept, but the annotations are.
     */
    public static final String WORKING_DIR = "io.berth.container.working-dir";

    /** The CFS period the kubelet uses for cpu limits. */
    static final long CPU_PERIOD_US = 100_000;

    private ContainerSpecs() {
    }

    /**
     * @param sandboxPid the pause process, whose net, ipc and uts namespaces (and pid with
     *                   shareProcessNamespace) the container joins
     * @param volumes    each volume's directory or file on the host, by name ({@link PodVolumes#prepare})
     * @param podFiles   the pod's /etc/hosts, resolv.conf and hostname on the host, by their path in the container
     */
    public static Spec forContainer(Pod pod, Container c, ImageConfig image, Path rootfs, int sandboxPid, String cgroupsPath,
            Map<String, Path> volumes, Map<String, Path> podFiles) throws IOException {
        ImageConfig.RunConfig rc = image == null || image.config() == null
                ? new ImageConfig.RunConfig(null, null, null, null, null, null, null) : image.config();
        Path ns = Path.of("/proc/" + sandboxPid + "/ns");
        boolean readOnly = c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
        SpecBuilder b = DefaultSpec.builder()
                .rootPath(rootfs)
                .readonlyRoot(readOnly)
                // No hostname: the UTS namespace is the sandbox's, which set it once for the whole pod.
                .hostname(null)
                .process(p -> p.args(command(c, rc)).env(env(pod, c, rc)).cwd(cwd(c, rc)).user(user(pod, c, rc))
                        .terminal(Boolean.TRUE.equals(c.getTty())))
                .joinNamespace("network", ns.resolve("net"))
                .joinNamespace("ipc", ns.resolve("ipc"))
                .joinNamespace("uts", ns.resolve("uts"))
                .cgroupsPath(cgroupsPath)
                .annotation(POD_UID, pod.getMetadata().getUid())
                .annotation(POD_NAME, pod.getMetadata().getName())
                .annotation(POD_NAMESPACE, namespace(pod))
                .annotation(CONTAINER_NAME, c.getName())
                .annotation(CONTAINER_TYPE, "container")
                .annotation(WORKING_DIR, cwd(c, rc));
        if (Boolean.TRUE.equals(pod.getSpec().getShareProcessNamespace())) {
            b.joinNamespace("pid", ns.resolve("pid"));
        }
        limits(b, c.getResources());
        if (c.getVolumeMounts() != null) {
            for (VolumeMount m : c.getVolumeMounts()) {
                b.bindMount(PodVolumes.source(m, volumes), m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly()));
            }
        }
        // Read-only, as the kubelet mounts them; a volume the container mounts at the same path wins.
        podFiles.forEach((path, file) -> {
            if (c.getVolumeMounts() == null || c.getVolumeMounts().stream().noneMatch(m -> path.equals(m.getMountPath()))) {
                b.bindMount(file, path, true);
            }
        });
        return b.build();
    }

    /** Where a process exec'd into this runtime container starts (exec, exec probes): its main process's cwd. */
    public static String workingDir(io.berth.runtime.container.OciState container) {
        Map<String, String> a = container.annotations();
        return a == null ? "/" : a.getOrDefault(WORKING_DIR, "/");
    }

    public static String namespace(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /** Kubernetes' rules: command replaces the entrypoint (and drops the image's cmd); args replace cmd. */
    static List<String> command(Container c, ImageConfig.RunConfig rc) {
        List<String> out = new ArrayList<>();
        boolean hasCommand = c.getCommand() != null && !c.getCommand().isEmpty();
        boolean hasArgs = c.getArgs() != null && !c.getArgs().isEmpty();
        if (hasCommand) {
            out.addAll(c.getCommand());
        } else if (rc.entrypoint() != null) {
            out.addAll(rc.entrypoint());
        }
        if (hasArgs) {
            out.addAll(c.getArgs());
        } else if (!hasCommand && rc.cmd() != null) {
            out.addAll(rc.cmd());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("container " + c.getName() + ": no command given and the image has no entrypoint or cmd");
        }
        return out;
    }

    static List<String> env(Pod pod, Container c, ImageConfig.RunConfig rc) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DefaultSpec.DEFAULT_PATH.substring("PATH=".length()));
        if (rc.env() != null) {
            for (String e : rc.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    env.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
        }
        env.put("HOSTNAME", hostname(pod));
        if (c.getEnv() != null) {
            for (EnvVar v : c.getEnv()) {
                // valueFrom (fieldRef, secrets, config maps) needs the API's objects: not on the node yet.
                env.put(v.getName(), expand(v.getValue() == null ? "" : v.getValue(), env));
            }
        }
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** $(VAR) references to variables defined before, as the kubelet expands them; $$ escapes. */
    static String expand(String value, Map<String, String> defined) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
                b.append('$');
                i++;
            } else if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(') {
                int end = value.indexOf(')', i + 2);
                String name = end < 0 ? null : value.substring(i + 2, end);
                if (name != null && defined.containsKey(name)) {
                    b.append(defined.get(name));
                    i = end;
                } else {
                    b.append(ch);
                }
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    static String cwd(Container c, ImageConfig.RunConfig rc) {
        if (c.getWorkingDir() != null && !c.getWorkingDir().isEmpty()) {
            return c.getWorkingDir();
        }
        return rc.workingDir() != null && !rc.workingDir().isEmpty() ? rc.workingDir() : "/";
    }

    static Spec.User user(Pod pod, Container c, ImageConfig.RunConfig rc) {
        Long uid = null;
        Long gid = null;
        if (pod.getSpec().getSecurityContext() != null) {
            uid = pod.getSpec().getSecurityContext().getRunAsUser();
            gid = pod.getSpec().getSecurityContext().getRunAsGroup();
        }
        if (c.getSecurityContext() != null) {
            if (c.getSecurityContext().getRunAsUser() != null) {
                uid = c.getSecurityContext().getRunAsUser();
            }
            if (c.getSecurityContext().getRunAsGroup() != null) {
                gid = c.getSecurityContext().getRunAsGroup();
            }
        }
        if (uid == null && rc.user() != null && rc.user().matches("\\d+(:\\d+)?")) {
            String[] p = rc.user().split(":");
            uid = Long.parseLong(p[0]);
            if (p.length > 1 && gid == null) {
                gid = Long.parseLong(p[1]);
            }
        }
        return new Spec.User(uid == null ? 0 : uid, gid == null ? 0 : gid, null, List.of(), null);
    }

    public static String hostname(Pod pod) {
        String h = pod.getSpec().getHostname();
        return h != null && !h.isEmpty() ? h : pod.getMetadata().getName();
    }

    /** Limits as the kubelet maps them: memory limit, cpu limit as a CFS quota, cpu request as shares. */
    static SpecBuilder limits(SpecBuilder b, ResourceRequirements r) {
        Long memory = bytes(r, "memory", true);
        Long cpuLimitMilli = milliCpu(r, true);
        Long cpuRequestMilli = milliCpu(r, false);
        if (cpuRequestMilli == null) {
            cpuRequestMilli = cpuLimitMilli;
        }
        if (memory != null) {
            b.memoryLimit(memory);
        }
        if (cpuRequestMilli != null) {
            b.cpuShares(Math.max(2, cpuRequestMilli * 1024 / 1000));
        }
        if (cpuLimitMilli != null) {
            b.cpuQuota(Math.max(1000, cpuLimitMilli * CPU_PERIOD_US / 1000), CPU_PERIOD_US);
        }
        return b;
    }

    /** The container's limits alone (the pod cgroup sums them). */
    public static Spec.Resources resourcesOf(Container c) {
        return limits(DefaultSpec.builder(), c.getResources()).build().linux().resources();
    }

    static Long bytes(ResourceRequirements r, String name, boolean limit) {
        Quantity q = quantity(r, name, limit);
        return q == null ? null : Quantity.getAmountInBytes(q).longValue();
    }

    static Long milliCpu(ResourceRequirements r, boolean limit) {
        Quantity q = quantity(r, "cpu", limit);
        return q == null ? null : Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).longValue();
    }

    static Quantity quantity(ResourceRequirements r, String name, boolean limit) {
        if (r == null) {
            return null;
        }
        Map<String, Quantity> m = limit ? r.getLimits() : r.getRequests();
        return m == null ? null : m.get(name);
    }
}
