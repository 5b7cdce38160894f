package io.berth.runtime.security;

import java.util.ArrayList;
import java.util.List;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;

/** What the security tests need beyond {@link io.berth.runtime.oci.SpecBuilder}. */
final class Specs {
    private Specs() {
    }

    /** The default spec's capabilities (Docker's set) with {@code extra} added to all but ambient. */
    static Spec.Capabilities defaultCapabilitiesWith(String extra) {
        Spec.Capabilities c = DefaultSpec.create().process().capabilities();
        return new Spec.Capabilities(with(c.bounding(), extra), with(c.effective(), extra), with(c.inheritable(), extra),
                with(c.permitted(), extra), c.ambient());
    }

    private static List<String> with(List<String> names, String extra) {
        List<String> out = new ArrayList<>(names == null ? List.of() : names);
        out.add(extra);
        return out;
    }

    /** The default spec's process (root, Docker's capabilities) running {@code args}: an exec. */
    static Spec.Process process(List<String> args) {
        return DefaultSpec.processBuilder().args(args).build();
    }
}
