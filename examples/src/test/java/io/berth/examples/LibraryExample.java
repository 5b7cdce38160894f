package io.berth.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Path;

import io.berth.image.content.Progress;
import io.berth.image.rootfs.Rootfs;
import io.berth.image.rootfs.RootfsManager;
import io.berth.image.store.ImageStore;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.container.RuntimeOptions;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;

/** docs/library.md's example: import an image, give a container its root, run it with limits, capture its output. */
public final class LibraryExample {
    private LibraryExample() {
    }

    /** What the container printed and how it ended. */
    public record Result(String output, ExitResult exit) {
    }

    /**
     * @param home         the state root: images and root filesystems under it, the runtime's records in home/runtime
     * @param tarball      a root filesystem as a tar (plain, gzip, zstd or xz), e.g. {@code tar -C rootfs -czf busybox.tar.gz .}
     * @param cgroupParent where the container's cgroup goes, e.g. "/example" (made if missing)
     */
    public static Result run(Path home, Path tarball, String cgroupParent) throws IOException {
        // 1. The image: imported once, its layer unpacked into the store.
        ImageStore images = new ImageStore(home);
        images.importRootfs(tarball, "example/busybox:1", Progress.NONE);

        // 2. The container's root: an overlay over the image's layers, writable, private to it.
        RootfsManager roots = new RootfsManager(images, RootfsManager.Mode.AUTO);
        Rootfs rootfs = roots.create("hello", "example/busybox:1");
        try (ContainerRuntime runtime = new ContainerRuntime(
                RuntimeOptions.defaults(home.resolve("runtime")).withCgroupParent(cgroupParent))) {

            // 3. The spec: Berth's defaults (namespaces, mounts, capabilities) and what differs.
            Spec spec = DefaultSpec.builder()
                    .rootPath(rootfs.path())
                    .args("sh", "-c", "echo hello from $(hostname) as $(id -u):$(id -g)")
                    .env("LANG", "C.UTF-8")
                    .hostname("hello")
                    .user(1000, 1000)
                    .memoryLimit(64L << 20)
                    .pidsLimit(32)
                    .cpuQuota(50_000, 100_000)
                    .build();

            // 4. Create it with stdout captured through a pipe and stderr in a log file, then start it.
            ContainerIo.Output.Pipe stdout = ContainerIo.Output.pipe();
            ContainerIo io = ContainerIo.of(ContainerIo.Input.devNull(), stdout,
                    ContainerIo.Output.append(home.resolve("hello.stderr.log")));
            Container container = runtime.create("hello", rootfs.path().getParent(), spec, io);
            runtime.start("hello");

            // 5. Its output until it closes stdout, then its exit (code, signal, OOMKilled).
            String output;
            try (var in = stdout.stream()) {
                output = new String(in.readAllBytes(), UTF_8);
            }
            ExitResult exit = container.waitFor();

            // 6. Clean up: the container's record and cgroup, then its root filesystem.
            runtime.delete("hello", false);
            return new Result(output, exit);
        } finally {
            roots.delete("hello");
        }
    }
}
