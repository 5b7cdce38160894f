package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;

/** OCI bundles over the shared busybox rootfs (read-only root, so containers cannot change it). */
public final class Bundles {
    private Bundles() {
    }

    public static Path write(Path dir, List<String> args) throws IOException {
        return write(dir, args, UnaryOperator.identity());
    }

    public static Path write(Path dir, List<String> args, UnaryOperator<Spec> adjust) throws IOException {
        Files.createDirectories(dir);
        Spec d = DefaultSpec.create();
        Spec.Process p = d.process();
        p = new Spec.Process(false, null, p.user(), args, null, p.env(), p.cwd(), p.capabilities(), p.rlimits(),
                p.noNewPrivileges(), null, null, null, null, null, null);
        Spec spec = new Spec(d.ociVersion(), p, new Spec.Root(BusyboxRootfs.path().toString(), true), "berth-test",
                null, d.mounts(), null, d.annotations(), d.linux());
        Files.writeString(dir.resolve("config.json"), SpecJson.write(adjust.apply(spec)));
        return dir;
    }

    public static Spec withResources(Spec s, Spec.Resources r) {
        Spec.Linux l = s.linux();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(l.namespaces(), null, null, null, l.devices(), l.cgroupsPath(), r,
                        l.rootfsPropagation(), null, l.sysctl(), l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withTerminal(Spec s, int rows, int cols) {
        Spec.Process p = s.process();
        return new Spec(s.ociVersion(), new Spec.Process(true, new Spec.ConsoleSize(rows, cols), p.user(), p.args(), null,
                p.env(), p.cwd(), p.capabilities(), p.rlimits(), p.noNewPrivileges(), null, null, null, null, null, null),
                s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(), s.annotations(), s.linux());
    }

    public static Spec withSeccomp(Spec s, Spec.Seccomp seccomp) {
        Spec.Linux l = s.linux();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(l.namespaces(), null, null, null, l.devices(), l.cgroupsPath(), l.resources(),
                        l.rootfsPropagation(), seccomp, l.sysctl(), l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withDevicesAndSysctls(Spec s, List<Spec.Device> devices, java.util.Map<String, String> sysctl) {
        Spec.Linux l = s.linux();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(l.namespaces(), null, null, null, devices, l.cgroupsPath(), l.resources(),
                        l.rootfsPropagation(), l.seccomp(), sysctl, l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withoutNamespace(Spec s, String type) {
        Spec.Linux l = s.linux();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(l.namespaces().stream().filter(n -> !n.type().equals(type)).toList(),
                        null, null, null, l.devices(), l.cgroupsPath(), l.resources(), l.rootfsPropagation(), null,
                        l.sysctl(), l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withRootfsPropagation(Spec s, String propagation) {
        Spec.Linux l = s.linux();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(l.namespaces(), null, null, null, l.devices(), l.cgroupsPath(), l.resources(),
                        propagation, l.seccomp(), l.sysctl(), l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withHooks(Spec s, Spec.Hooks hooks) {
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), hooks,
                s.annotations(), s.linux());
    }

    /** A new user namespace (added to the default ones) with one uid and one gid range. */
    public static Spec withUserNamespace(Spec s, Spec.IdMapping uid, Spec.IdMapping gid) {
        return withIdMappings(s, uid, gid, true);
    }

    /** One uid and one gid range (null: none), with or without a new user namespace. */
    public static Spec withIdMappings(Spec s, Spec.IdMapping uid, Spec.IdMapping gid, boolean userNamespace) {
        Spec.Linux l = s.linux();
        List<Spec.Namespace> namespaces = new java.util.ArrayList<>(l.namespaces());
        if (userNamespace) {
            namespaces.add(new Spec.Namespace("user", null));
        }
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(namespaces, uid == null ? null : List.of(uid), gid == null ? null : List.of(gid),
                        null, l.devices(), l.cgroupsPath(), l.resources(), l.rootfsPropagation(), l.seccomp(), l.sysctl(),
                        l.maskedPaths(), l.readonlyPaths(), null, null, null));
    }

    public static Spec withRoot(Spec s, String rootPath) {
        return new Spec(s.ociVersion(), s.process(), new Spec.Root(rootPath, true), s.hostname(), s.domainname(),
                s.mounts(), s.hooks(), s.annotations(), s.linux());
    }

    public static Spec.Resources resources(Spec.Memory memory, Spec.Cpu cpu, Long pids) {
        return new Spec.Resources(DefaultSpec.create().linux().resources().devices(), memory, cpu,
                pids == null ? null : new Spec.Pids(pids), null, null, null, null, null);
    }
}
