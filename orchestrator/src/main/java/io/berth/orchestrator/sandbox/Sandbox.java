package io.berth.orchestrator.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.berth.orchestrator.monitor.NativeBinaries;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;

/**
 * A pod's sandbox: the kubelet's pause container. A static {@code pause} (src/main/c/pause.c) run
 * as a container whose root filesystem is that one file, read-only: it creates the pod's network
 * (only {@code lo}, brought up by the launch), IPC, UTS and PID namespaces, sets the pod's hostname
 * once, and holds them while it lives; every container of the pod joins them by
 * {@code /proc/<pause pid>/ns/...}. Its cgroup is under the pod's. It costs a few hundred KiB.
 */
public final class Sandbox {
    private Sandbox() {
    }

    /** The runtime container id of a pod's sandbox ('_' cannot occur in a container name). */
    public static String id(String podUid) {
        return podUid + "_sandbox";
    }

    /** Makes the shared root filesystem: the pause binary and the directory the launch needs. */
    public static Path prepareRootfs(Path rootfs) {
        NativeBinaries.extract(NativeBinaries.PAUSE, rootfs);
        try {
            Files.createDirectories(rootfs.resolve("proc"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + rootfs, e);
        }
        return rootfs;
    }

    /** Creates and starts the pause container; it runs until killed. */
    public static Container start(ContainerRuntime runtime, String podUid, Path rootfs, String hostname, String cgroupsPath,
            Map<String, String> annotations) {
        Spec spec = spec(rootfs, hostname, cgroupsPath, annotations);
        String id = id(podUid);
        Container c = runtime.create(id, rootfs.getParent(), spec, ContainerIo.discard());
        try {
            runtime.start(id);
        } catch (RuntimeException e) {
            runtime.delete(id, true);
            throw e;
        }
        return c;
    }

    /**
     * Written out rather than built from DefaultSpec: pause needs none of the defaults (no mounts but
     * the /proc the launch makes, no masked or read-only paths, no capabilities, no env), and
     * SpecBuilder has no setter to take the masked and read-only paths away again.
     */
    static Spec spec(Path rootfs, String hostname, String cgroupsPath, Map<String, String> annotations) {
        Spec.Capabilities none = new Spec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of());
        Spec.Process process = new Spec.Process(false, null, new Spec.User(0, 0, null, List.of(), null), List.of("/pause"), null,
                List.of(), "/", none, List.of(), true, null, null, null, null, null, null);
        List<Spec.Namespace> namespaces = new ArrayList<>();
        for (String t : List.of("pid", "network", "ipc", "uts", "mount")) {
            namespaces.add(new Spec.Namespace(t, null));
        }
        Spec.Linux linux = new Spec.Linux(namespaces, null, null, null, List.of(), cgroupsPath, null, null, null, null,
                List.of(), List.of(), null, null, null);
        Map<String, String> ann = new LinkedHashMap<>(annotations);
        ann.put("io.kubernetes.cri.container-type", "sandbox");
        return new Spec(DefaultSpec.OCI_VERSION, process, new Spec.Root(rootfs.toString(), true), hostname, null, List.of(), null,
                ann, linux);
    }

    public static String namespacePath(int pausePid, String ns) {
        return "/proc/" + pausePid + "/ns/" + ns;
    }
}
