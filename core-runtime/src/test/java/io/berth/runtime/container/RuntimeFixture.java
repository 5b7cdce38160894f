package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Stdio;

/**
 * A runtime with its own state root and cgroup parent, so parallel and repeated runs never
 * collide, and a teardown that removes whatever a failed test left.
 */
final class RuntimeFixture implements AutoCloseable {
    final Path dir;
    final String cgroupParent = "/berth-test-" + UUID.randomUUID().toString().substring(0, 8);
    final ContainerRuntime runtime;
    /** What the runtime warned about (failing poststart and poststop hooks). */
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final Path out;
    final Path err;
    private final int outFd;
    private final int errFd;

    RuntimeFixture(Path dir) throws IOException {
        this.dir = dir;
        this.runtime = new ContainerRuntime(RuntimeOptions.defaults(dir.resolve("state")).withCgroupParent(cgroupParent), warnings::add);
        out = Files.createFile(dir.resolve("stdout"));
        err = Files.createFile(dir.resolve("stderr"));
        outFd = LibC.open(out.toString(), LibC.O_WRONLY);
        errFd = LibC.open(err.toString(), LibC.O_WRONLY);
    }

    Stdio stdio() {
        return new Stdio(Stdio.NULL, outFd, errFd);
    }

    String stdout() throws IOException {
        return Files.readString(out);
    }

    String stderr() throws IOException {
        return Files.readString(err);
    }

    Path cgroupDir(String controller, String id) {
        return Path.of("/sys/fs/cgroup", controller, cgroupParent.substring(1), id);
    }

    @Override
    public void close() {
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
