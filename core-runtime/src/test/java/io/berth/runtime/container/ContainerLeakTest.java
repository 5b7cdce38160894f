package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** 1000 full lifecycles leave the JVM and the host exactly as they were. */
class ContainerLeakTest {
    static final int CYCLES = Integer.getInteger("berth.leakCycles", 1000);

    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @Test
    void createStartWaitDeleteCyclesLeakNothing() throws Exception {
        Path b = Bundles.write(dir.resolve("b"), List.of("true"));
        // One warm-up cycle: first use loads classes and the native library (which hold fds of their own).
        cycle(b, "warmup");
        LeakSnapshot before = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        for (int i = 0; i < CYCLES; i++) {
            cycle(b, "c" + i);
        }
        LeakSnapshot after = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        assertThat(after.fds()).as("open fds").isSubsetOf(before.fds());
        assertThat(after.mounts()).as("mounts").isEqualTo(before.mounts());
        assertThat(after.cgroupDirs()).as("cgroups").isEmpty();
        assertThat(after.stateDirs()).as("state").isEmpty();
        assertThat(after.children()).as("children").isEqualTo(before.children());
        assertThat(LeakSnapshot.zombieChildren()).as("zombies").isZero();
    }

    private void cycle(Path bundle, String id) {
        Container c = f.runtime.create(id, bundle, f.stdio());
        f.runtime.start(id);
        assertThat(c.waitFor().exitCode()).isZero();
        f.runtime.delete(id, false);
    }
}
