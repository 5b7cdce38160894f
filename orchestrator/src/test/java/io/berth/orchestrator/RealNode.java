package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.testkit.BusyboxRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A temporary directory whose state root holds the busybox image, for a daemon with its real node side. */
final class RealNode {

    private RealNode() {
    }

    /** A new temporary directory with {@code state/} holding image {@code busybox}; removed again if this fails. */
    static Path dirWithBusybox(String prefix) throws Exception {
        Path rootfs = BusyboxRootfs.path();
        Path dir = Files.createTempDirectory(prefix);
        try {
            Path tar = dir.resolve("busybox.tar");
            Process p = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".").inheritIO().start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
            new ImageStore(dir.resolve("state")).importRootfs(tar, "busybox", Progress.NONE);
            Files.delete(tar);
            return dir;
        } catch (Exception | AssertionError e) {
            DaemonFixture.deleteTree(dir);
            throw e;
        }
    }

    /** The checkout's root (the reactor's directory), found upward from the module's. */
    static Path checkout() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("deploy/install.sh"))) {
            p = p.getParent();
        }
        assertThat(p).as("a Berth checkout above " + Path.of("").toAbsolutePath()).isNotNull();
        return p;
    }
}
