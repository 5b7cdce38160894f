package io.berth.runtime.containerd;

import java.nio.file.Path;

import io.berth.testkit.Requirements;

/**
 * The containerd contract against the runtime named by {@code -Dberth.runtimeBinary} (a path or a
 * command on PATH), by default Debian's runc: the baseline every other runtime is held to.
 */
class ContainerdRuncIT extends ContainerdRuntimeContract {
    @Override
    Path runtimeBinary() {
        String configured = System.getProperty("berth.runtimeBinary", "runc");
        if (configured.isBlank()) {
            configured = "runc";
        }
        if (configured.contains("/")) {
            Path p = Path.of(configured).toAbsolutePath();
            Requirements.require(java.nio.file.Files.isExecutable(p),
                    "berth.runtimeBinary=" + configured + " is not an executable file: point it at a runc-compatible binary");
            return p;
        }
        return Requirements.command(configured, configured.equals("runc") ? "runc" : configured);
    }
}
