package io.berth.runtime.oci;

import java.util.List;

/**
 * The spec {@code berth-runtime spec} writes: runc's default layout (namespaces, mounts, masked and
 * read-only paths), with Docker's default capability set instead of runc's three, because that is
 * what users coming from Docker expect a container to be able to do.
 */
public final class DefaultSpec {
    public static final String OCI_VERSION = "1.2.0";
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** runc's masked paths: kernel interfaces that leak host information or allow harm. */
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    /** runc's read-only paths. */
    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** runc's default mounts (the container's /dev, /proc, /sys and their relatives). */
    public static final List<Spec.Mount> MOUNTS = List.of(
            new Spec.Mount("/proc", "proc", "proc", List.of()),
            new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
            new Spec.Mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
            new Spec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
            new Spec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
            new Spec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));

    private DefaultSpec() {
    }

    public static Spec create() {
        List<String> caps = Capability.DOCKER_DEFAULT.stream().map(Enum::name).toList();
        Spec.Process process = new Spec.Process(false, null, new Spec.User(0, 0, null, List.of(), null),
                List.of("sh"), null, List.of(DEFAULT_PATH, "TERM=xterm"), "/",
                new Spec.Capabilities(caps, caps, List.of(), caps, List.of()),
                List.of(new Spec.Rlimit("RLIMIT_NOFILE", 1024, 1024)), true,
                null, null, null, null, null, null);
        Spec.Linux linux = new Spec.Linux(
                List.of(ns("pid"), ns("network"), ns("ipc"), ns("uts"), ns("mount"), ns("cgroup")),
                null, null, null, List.of(), null,
                new Spec.Resources(List.of(new Spec.DeviceRule(false, null, null, null, "rwm")), null, null, null, null, null, null, null, null),
                null, null, null, MASKED_PATHS, READONLY_PATHS, null, null, null);
        return new Spec(OCI_VERSION, process, new Spec.Root("rootfs", true), "berth", null, MOUNTS, null, null, linux);
    }

    private static Spec.Namespace ns(String type) {
        return new Spec.Namespace(type, null);
    }
}
