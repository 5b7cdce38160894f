package io.berth.runtime.security;

import java.util.List;
import java.util.Map;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;

/** Spec changes the security tests need on top of {@link io.berth.runtime.container.Bundles}. */
final class Specs {
    private Specs() {
    }

    /** Each linux.namespaces entry named in {@code paths} joins that path instead of being created. */
    static Spec joining(Spec s, Map<String, String> paths) {
        Spec.Linux l = s.linux();
        List<Spec.Namespace> namespaces = l.namespaces().stream()
                .map(n -> new Spec.Namespace(n.type(), paths.getOrDefault(n.type(), n.path()))).toList();
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), s.hooks(),
                s.annotations(), new Spec.Linux(namespaces, l.uidMappings(), l.gidMappings(), null, l.devices(),
                        l.cgroupsPath(), l.resources(), l.rootfsPropagation(), l.seccomp(), l.sysctl(), l.maskedPaths(),
                        l.readonlyPaths(), null, null, null));
    }

    /** The default spec's process (root, Docker's capabilities) running {@code args}. */
    static Spec.Process process(List<String> args) {
        Spec.Process p = DefaultSpec.create().process();
        return new Spec.Process(false, null, p.user(), args, null, p.env(), "/", p.capabilities(), p.rlimits(), true,
                null, null, null, null, null, null);
    }
}
