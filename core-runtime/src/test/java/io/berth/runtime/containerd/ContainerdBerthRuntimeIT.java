package io.berth.runtime.containerd;

import java.nio.file.Files;
import java.nio.file.Path;

import io.berth.runtime.deploy.Checkout;
import io.berth.testkit.Requirements;

/** The same containerd contract against this checkout's {@code bin/berth-runtime}, driven by ctr. */
class ContainerdBerthRuntimeIT extends ContainerdRuntimeContract {
    @Override
    Path runtimeBinary() {
        Path jar = Checkout.runtimeJar();
        Requirements.require(Files.isRegularFile(jar), jar + " is missing: run 'mvn package' first (mvn verify does)");
        return Checkout.root().resolve("bin/berth-runtime");
    }
}
