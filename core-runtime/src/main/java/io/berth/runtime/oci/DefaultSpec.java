package io.berth.runtime.oci;

import java.util.List;

import io.berth.runtime.linux.Capability;
import io.berth.runtime.linux.RootfsSetup;

/**
 * The spec {@code berth-runtime spec} writes: runc's default layout (namespaces, mounts, masked and
 * read-only paths), with Docker's default capability set instead of runc's three, because that is
 * what users coming from Docker expect a container to be able to do.
 */
public final class DefaultSpec {
    public static final String OCI_VERSION = "1.2.0";
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** runc's default mounts (the container's /dev, /proc, /sys and their relatives). */
    public static final List<Spec.Mount> MOUNTS = RootfsSetup.defaultMounts().stream()
            .map(m -> new Spec.Mount(m.destination(), m.type(), m.source(), m.options())).toList();

    private DefaultSpec() {
    }

    public static Spec create() {
        List<String> caps = Capability.dockerDefaults().stream().sorted().map(c -> "CAP_" + c.name()).toList();
        Spec.Process process = new Spec.Process(false, null, new Spec.User(0, 0, null, List.of(), null),
                List.of("sh"), null, List.of(DEFAULT_PATH, "TERM=xterm"), "/",
                new Spec.Capabilities(caps, caps, List.of(), caps, List.of()),
                List.of(new Spec.Rlimit("RLIMIT_NOFILE", 1024, 1024)), true,
                null, null, null, null, null, null);
        Spec.Linux linux = new Spec.Linux(
                List.of(ns("pid"), ns("network"), ns("ipc"), ns("uts"), ns("mount"), ns("cgroup")),
                null, null, null, List.of(), null,
                new Spec.Resources(List.of(new Spec.DeviceRule(false, null, null, null, "rwm")), null, null, null, null, null, null, null, null),
                null, null, null, RootfsSetup.DEFAULT_MASKED_PATHS, RootfsSetup.DEFAULT_READONLY_PATHS, null, null, null);
        return new Spec(OCI_VERSION, process, new Spec.Root("rootfs", true), "berth", null, MOUNTS, null, null, linux);
    }

    /**
     * The default spec as a builder, for a container run from Java: set at least
     * {@link SpecBuilder#rootPath} (the default "rootfs" is relative to the bundle) and the args.
     */
    public static SpecBuilder builder() {
        return create().toBuilder();
    }

    /** The default spec's process as a builder: an exec with Berth's defaults (root, Docker's capabilities, PATH). */
    public static ProcessSpecBuilder processBuilder() {
        return create().process().toBuilder();
    }

    private static Spec.Namespace ns(String type) {
        return new Spec.Namespace(type, null);
    }
}
