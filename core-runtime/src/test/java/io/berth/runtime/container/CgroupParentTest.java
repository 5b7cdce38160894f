package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.Stdio;

/**
 * The runtime's cgroup parent goes with its last container, and two runtimes sharing one parent
 * (two users of the default /berth) do not disturb each other.
 */
class CgroupParentTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @Test
    void theParentIsRemovedAfterTheLastDeleteAndMadeAgainByTheNextCreate() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("sleep", "600"));
        f.runtime.create("c1", b, f.stdio());
        f.runtime.create("c2", b, f.stdio());
        int hierarchies = parentDirs().size();
        assertThat(hierarchies).isPositive();
        f.runtime.delete("c1", true);
        assertThat(parentDirs()).as("c2 is still in it").hasSize(hierarchies);
        f.runtime.delete("c2", true);
        assertThat(parentDirs()).as("gone with its last container").isEmpty();

        f.runtime.create("c3", b, f.stdio());
        f.runtime.start("c3");
        assertThat(f.runtime.state("c3").status()).isEqualTo(ContainerStatus.RUNNING);
        f.runtime.delete("c3", true);
        assertThat(parentDirs()).isEmpty();
    }

    @Test
    void twoRuntimesOnOneParentDoNotDisturbEachOther() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("sleep", "600"));
        RuntimeOptions second = new RuntimeOptions(dir.resolve("state-b"), f.cgroupParent, false);
        try (ContainerRuntime other = new ContainerRuntime(second)) {
            f.runtime.create("a1", b, f.stdio());
            f.runtime.start("a1");
            other.create("b1", b, f.stdio());
            other.start("b1");
            int hierarchies = parentDirs().size();

            f.runtime.delete("a1", true);
            assertThat(parentDirs()).as("b1 still uses it").hasSize(hierarchies);
            assertThat(other.state("b1").status()).isEqualTo(ContainerStatus.RUNNING);
            assertThat(f.cgroupDir("memory", "b1")).isDirectory();
            assertThat(other.pids("b1")).hasSize(1);

            other.delete("b1", true);
            assertThat(parentDirs()).isEmpty();

            // Creates and deletes racing on the shared parent from two threads: one removes it as
            // its last container goes while the other makes a container in it; a create whose
            // parent vanished under it makes it again, and no create or delete fails.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> mine = pool.submit(() -> cycles(f.runtime, "a", b));
                Future<?> theirs = pool.submit(() -> cycles(other, "x", b));
                mine.get(120, TimeUnit.SECONDS);
                theirs.get(120, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(parentDirs()).isEmpty();
    }

    @Test
    void aCreateThatFailsLeavesNoParentBehind() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("/bin/nope"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.runtime.create("c1", b, f.stdio()))
                .hasMessageContaining("execve /bin/nope");
        assertThat(parentDirs()).isEmpty();
    }

    private static Void cycles(ContainerRuntime runtime, String prefix, Path bundle) {
        for (int i = 0; i < 30; i++) {
            runtime.create(prefix + i, bundle, Stdio.nullStdio());
            runtime.delete(prefix + i, true);
        }
        return null;
    }

    private List<Path> parentDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            return s.map(h -> h.resolve(f.cgroupParent.substring(1))).filter(Files::isDirectory).toList();
        }
    }
}
