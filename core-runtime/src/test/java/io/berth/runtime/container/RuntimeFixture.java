package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Stdio;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * A runtime with its own state root and cgroup parent, so parallel and repeated runs never
 * collide, and a teardown that removes whatever a failed test left. A JUnit extension, one per
 * test: {@code @RegisterExtension final RuntimeFixture f = new RuntimeFixture();} (it needs root,
 * and skips the test with the reason otherwise).
 */
public final class RuntimeFixture implements BeforeEachCallback, AfterEachCallback {
    public final String cgroupParent = "/berth-test-" + UUID.randomUUID().toString().substring(0, 8);
    /** What the runtime warned about (failing poststart and poststop hooks). */
    public final List<String> warnings = new CopyOnWriteArrayList<>();
    /** The state root and the containers' stdout and stderr files live here. */
    private Path dir;
    public ContainerRuntime runtime;
    Path out;
    Path err;
    private int outFd = -1;
    private int errFd = -1;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        Requirements.root();
        dir = Files.createTempDirectory("berth-runtime-test-");
        runtime = new ContainerRuntime(RuntimeOptions.defaults(dir.resolve("state")).withCgroupParent(cgroupParent), warnings::add);
        out = Files.createFile(dir.resolve("stdout"));
        err = Files.createFile(dir.resolve("stderr"));
        outFd = LibC.open(out.toString(), LibC.O_WRONLY);
        errFd = LibC.open(err.toString(), LibC.O_WRONLY);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (dir == null) {
            return; // skipped before anything was made
        }
        try {
            close();
        } finally {
            BusyboxRootfs.deleteTree(dir);
        }
    }

    public Stdio stdio() {
        return new Stdio(Stdio.NULL, outFd, errFd);
    }

    public String stdout() throws IOException {
        return Files.readString(out);
    }

    public String stderr() throws IOException {
        return Files.readString(err);
    }

    Path cgroupDir(String controller, String id) {
        return Path.of("/sys/fs/cgroup", controller, cgroupParent.substring(1), id);
    }

    private void close() {
        try {
            runtime.close();
            for (OciState s : runtime.list()) {
                runtime.delete(s.id(), true);
            }
        } finally {
            LibC.close(outFd);
            LibC.close(errFd);
            Cgroups.open(cgroupParent).destroy();
        }
    }
}
