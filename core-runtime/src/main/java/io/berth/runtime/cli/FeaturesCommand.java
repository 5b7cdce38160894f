package io.berth.runtime.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.berth.runtime.container.ContainerJson;
import io.berth.runtime.linux.Capability;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.seccomp.SeccompProfile;
import picocli.CommandLine.Model.CommandSpec;

/** What this runtime implements, in the OCI runtime spec's features.md shape. */
final class FeaturesCommand implements Subcommand {
    /** Everything else a config.json may set is refused by SpecValidator, so it is not listed. */
    static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mount", "network", "pid", "user", "uts");
    static final List<String> MOUNT_OPTIONS = List.of("async", "atime", "bind", "defaults", "dev", "diratime",
            "dirsync", "exec", "mand", "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime",
            "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime", "ro", "rprivate", "rshared",
            "rslave", "runbindable", "rw", "shared", "slave", "strictatime", "suid", "sync", "unbindable");

    @Override
    public CommandSpec spec() {
        return Invocation.command(this, "features", "Show the enabled features (OCI features JSON).");
    }

    @Override
    public int run(Invocation call) {
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", NAMESPACES);
        linux.put("capabilities", Arrays.stream(Capability.values()).map(c -> "CAP_" + c.name()).toList());
        // Ordered maps, not Map.of: its order changes from one JVM to the next, and so would the output.
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", false);
        linux.put("cgroup", cgroup);
        linux.put("seccomp", SeccompProfile.features());
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("ociVersionMin", "1.0.0");
        features.put("ociVersionMax", DefaultSpec.OCI_VERSION);
        features.put("hooks", List.of("prestart", "createRuntime", "poststart", "poststop"));
        features.put("mountOptions", MOUNT_OPTIONS);
        features.put("linux", linux);
        features.put("annotations", Map.of("io.berth.runtime.version", "dev"));
        System.out.println(ContainerJson.pretty(features));
        return 0;
    }
}
