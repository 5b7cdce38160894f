package io.berth.runtime.container;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.container.ContainerIo.Input;
import io.berth.runtime.container.ContainerIo.Output;
import io.berth.runtime.oci.Spec;
import io.berth.testkit.BusyboxRootfs;

/** What SpecBuilder sets for a pod's container takes effect in a real one: volumes, tmpfs, identity, env, cwd, limits. */
class BuiltSpecTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @Test
    void volumesIdentityEnvironmentAndLimitsOfABuiltSpec() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("app.conf"), "setting=1\n");
        String script = "echo id=$(id -u):$(id -g):$(id -G | tr ' ' ,); echo cwd=$(pwd); echo env=$APP_MODE;"
                + " echo written > /data/out && echo data=ok;"
                + " cat /etc/app/app.conf; (echo x > /etc/app/new) 2>/dev/null && echo config=writable || echo config=readonly;"
                + " echo cache=$(awk '$2 == \"/cache\" {print $3}' /proc/mounts); echo x > /cache/f && echo cache=ok";
        // A private copy: the mount points /data, /etc/app and /cache are made in the rootfs, which
        // must not be the shared busybox one.
        Path rootfs = BusyboxRootfs.copyTo(dir.resolve("rootfs"));
        Spec spec = Bundles.spec(List.of("sh", "-c", script))
                .rootPath(rootfs)
                .user(1000, 1000)
                .additionalGids(2000, 3000)
                .cwd("/tmp")
                .env("APP_MODE", "test")
                .bindMount(data, "/data", false)
                .bindMount(config, "/etc/app", true)
                .tmpfs("/cache", "size=1m", "mode=1777")
                .memoryLimit(32L << 20)
                .pidsLimit(16)
                .build();
        Output.Pipe out = Output.pipe();
        Container c = f.runtime.create("built", dir, spec, ContainerIo.of(Input.devNull(), out, out));
        assertThat(Files.readString(f.cgroupDir("memory", "built").resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(32L << 20));
        assertThat(Files.readString(f.cgroupDir("pids", "built").resolve("pids.max")).trim()).isEqualTo("16");
        f.runtime.start("built");
        String output;
        try (var in = out.stream()) {
            output = new String(in.readAllBytes(), UTF_8);
        }
        assertThat(c.waitFor().exitCode()).as(output).isZero();
        assertThat(output).isEqualTo(String.join("\n",
                "id=1000:1000:1000,2000,3000",
                "cwd=/tmp",
                "env=test",
                "data=ok",
                "setting=1",
                "config=readonly",
                "cache=tmpfs",
                "cache=ok", ""));
        assertThat(data.resolve("out")).as("written through the volume").hasContent("written");
        assertThat(config.resolve("new")).doesNotExist();
        assertThat(BusyboxRootfs.path().resolve("data")).as("the shared rootfs is untouched").doesNotExist();
    }
}
