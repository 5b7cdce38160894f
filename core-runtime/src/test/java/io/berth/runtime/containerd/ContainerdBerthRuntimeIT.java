package io.berth.runtime.containerd;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.berth.runtime.deploy.Checkout;
import io.berth.testkit.Requirements;

/**
 * The same containerd contract against this checkout's {@code bin/berth-runtime} (issue 4). Off
 * until the runtime can pass it: enable with {@code -Dberth.containerd.berthRuntime=true} (the
 * property is wired through core-runtime's failsafe configuration).
 */
@EnabledIfSystemProperty(named = "berth.containerd.berthRuntime", matches = "true",
        disabledReason = "berth-runtime under containerd is not switched on yet (-Dberth.containerd.berthRuntime=true)")
class ContainerdBerthRuntimeIT extends ContainerdRuntimeContract {
    @Override
    Path runtimeBinary() {
        Path jar = Checkout.runtimeJar();
        Requirements.require(Files.isRegularFile(jar), jar + " is missing: run 'mvn package' first (mvn verify does)");
        return Checkout.root().resolve("bin/berth-runtime");
    }
}
