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

    /** {@code s} with {@code extra} mounts after its own (a spec's mounts are made in order). */
    static Spec withMounts(Spec s, List<Spec.Mount> extra) {
        List<Spec.Mount> mounts = new java.util.ArrayList<>(s.mounts());
        mounts.addAll(extra);
        return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), mounts, s.hooks(),
                s.annotations(), s.linux());
    }

    /** {@code s} with its process changed by {@code change}. */
    static Spec withProcess(Spec s, java.util.function.UnaryOperator<Spec.Process> change) {
        return new Spec(s.ociVersion(), change.apply(s.process()), s.root(), s.hostname(), s.domainname(), s.mounts(),
                s.hooks(), s.annotations(), s.linux());
    }

    /** A copy of {@code p} with another working directory. */
    static Spec.Process cwd(Spec.Process p, String cwd) {
        return new Spec.Process(p.terminal(), p.consoleSize(), p.user(), p.args(), null, p.env(), cwd, p.capabilities(),
                p.rlimits(), p.noNewPrivileges(), null, null, null, null, null, null);
    }

    /** A copy of {@code p} with {@code extra} capabilities added to all five sets. */
    static Spec.Process addCapability(Spec.Process p, String extra) {
        Spec.Capabilities c = p.capabilities();
        java.util.function.Function<List<String>, List<String>> add = l -> {
            List<String> out = new java.util.ArrayList<>(l == null ? List.of() : l);
            out.add(extra);
            return out;
        };
        return new Spec.Process(p.terminal(), p.consoleSize(), p.user(), p.args(), null, p.env(), p.cwd(),
                new Spec.Capabilities(add.apply(c.bounding()), add.apply(c.effective()), add.apply(c.inheritable()),
                        add.apply(c.permitted()), c.ambient()),
                p.rlimits(), p.noNewPrivileges(), null, null, null, null, null, null);
    }

    /** The default spec's process (root, Docker's capabilities) running {@code args}. */
    static Spec.Process process(List<String> args) {
        Spec.Process p = DefaultSpec.create().process();
        return new Spec.Process(false, null, p.user(), args, null, p.env(), "/", p.capabilities(), p.rlimits(), true,
                null, null, null, null, null, null);
    }
}
