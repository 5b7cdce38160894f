package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecBuilder;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;

/** OCI bundles over the shared busybox rootfs (read-only root, so containers cannot change it). */
public final class Bundles {
    private Bundles() {
    }

    /** Berth's default spec over the shared busybox rootfs, running {@code args}. */
    public static SpecBuilder spec(List<String> args) {
        return DefaultSpec.builder().rootPath(BusyboxRootfs.path()).readonlyRoot(true).hostname("berth-test").args(args);
    }

    public static Path write(Path dir, List<String> args) throws IOException {
        return write(dir, args, b -> { });
    }

    /** A bundle whose spec is the default one changed by {@code adjust}. */
    public static Path write(Path dir, List<String> args, Consumer<SpecBuilder> adjust) throws IOException {
        SpecBuilder b = spec(args);
        adjust.accept(b);
        return write(dir, b.build());
    }

    public static Path write(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), SpecJson.write(spec));
        return dir;
    }
}
