package io.berth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.OpenFds;
import io.berth.testkit.Requirements;

/** Runs docs/library.md's example for real and checks that it left nothing behind. */
class LibraryExampleTest {
    @TempDir
    Path dir;

    @Test
    void theGuidesExampleRunsAContainerAndLeavesNothing() throws Exception {
        Requirements.root();
        Path tar = Requirements.command("tar", "tar");
        Path tarball = dir.resolve("busybox.tar.gz");
        Process p = new ProcessBuilder(tar.toString(), "-C", BusyboxRootfs.path().toString(), "-czf", tarball.toString(), ".")
                .inheritIO().start();
        assertThat(p.waitFor()).as("tar exit code").isZero();
        Path home = dir.resolve("home");
        String cgroupParent = "/berth-example-" + UUID.randomUUID().toString().substring(0, 8);
        Set<String> fds = OpenFds.now();
        try {
            LibraryExample.Result r = LibraryExample.run(home, tarball, cgroupParent);

            assertThat(r.output()).isEqualTo("hello from hello as 1000:1000\n");
            assertThat(r.exit().exitCode()).isZero();
            assertThat(r.exit().oomKilled()).isFalse();
            assertThat(home.resolve("hello.stderr.log")).isEmptyFile();
            // Nothing left: no container record, no root filesystem or mount, no cgroup, no fd.
            try (var records = Files.list(home.resolve("runtime"))) {
                assertThat(records).isEmpty();
            }
            assertThat(home.resolve("containers/hello")).doesNotExist();
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(home.toString());
            for (String controller : List.of("memory", "pids", "cpu")) {
                assertThat(Path.of("/sys/fs/cgroup", controller, cgroupParent.substring(1), "hello")).doesNotExist();
            }
            assertThat(OpenFds.now()).as("open fds").isSubsetOf(fds);
        } finally {
            // The runtime leaves the parent cgroup it made in every hierarchy (the lifecycle work removes it).
            Cgroups.open(cgroupParent).destroy();
        }
    }
}
