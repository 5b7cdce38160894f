package io.berth.runtime.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Berth checkout the tests run in, for tests of its scripts and deployment files. */
public final class Checkout {
    private Checkout() {
    }

    /** Found upwards from the module directory Maven runs tests in, by its bin/berth-runtime. */
    public static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/berth-runtime")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no bin/berth-runtime above " + Path.of("").toAbsolutePath()
                + ": run the tests from a Berth checkout");
    }

    /** Where {@code mvn package} puts the runtime's jar, which bin/berth-runtime runs. */
    public static Path runtimeJar() {
        return root().resolve("core-runtime/target/berth-core-runtime.jar");
    }
}
