package io.berth.image.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageDetails;
import io.berth.image.store.ImageStore;
import io.berth.image.testing.ImageFixtures;
import io.berth.image.testing.Sentinel;
import io.berth.image.testing.TarBuilder;
import io.berth.image.testing.TestImages;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/** Real overlayfs mounts (and the copy fallback) for containers, checked against the layers and /proc/self/mountinfo. */
class RootfsManagerTest {
    @TempDir
    Path tmp;
    ImageStore store;
    final List<String> created = new ArrayList<>();
    RootfsManager manager;

    @BeforeEach
    void setUp() throws IOException {
        Requirements.root();
        Requirements.command("mount", "mount");
        store = new ImageStore(tmp.resolve("state-" + UUID.randomUUID()));
        byte[] base = new TarBuilder()
                .file("etc/os-release", "ID=base\n")
                .file("etc/hostname", "base\n")
                .file("var/cache/old", "stale\n")
                .symlink("lib", "usr/lib")
                .file("usr/lib/libc.so", "libc")
                .tar();
        byte[] top = new TarBuilder()
                .file("etc/.wh.hostname", "")
                .file("var/cache/.wh..wh..opq", "")
                .file("var/cache/new", "fresh\n")
                .file("etc/motd", "top\n")
                .tar();
        TestImages.register(store, "two:1", base, top);
    }

    @AfterEach
    void tearDown() throws IOException {
        // Every root gets its delete even if one fails, so a failing test leaves no mounts behind.
        IOException failure = null;
        for (String id : created) {
            try {
                if (manager != null) {
                    manager.delete(id);
                }
            } catch (IOException | RuntimeException e) {
                if (failure == null) {
                    failure = new IOException("tearDown could not delete every root filesystem", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        if (store != null) {
            assertThat(Mounts.under(store.layout().root())).isEmpty();
        }
    }

    private Rootfs create(RootfsManager.Mode mode, String id, String image) throws IOException {
        manager = new RootfsManager(store, mode);
        created.add(id);
        return manager.create(id, image);
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void mergedViewAppliesWhiteoutsAndOpaqueDirs(RootfsManager.Mode mode) throws IOException {
        Rootfs r = create(mode, "c1", "two:1");
        assertThat(r.kind().name()).isEqualTo(mode.name());
        assertThat(Mounts.isMountPoint(r.path())).isEqualTo(mode == RootfsManager.Mode.OVERLAY);
        Path root = r.path();
        assertThat(root.resolve("etc/os-release")).hasContent("ID=base");
        assertThat(root.resolve("etc/motd")).hasContent("top");
        assertThat(Files.exists(root.resolve("etc/hostname"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(root.resolve("var/cache/new")).hasContent("fresh");
        assertThat(Files.exists(root.resolve("var/cache/old"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readSymbolicLink(root.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
        assertThat(manager.kind("c1")).contains(r.kind());
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void writesInOneContainerChangeNeitherTheLayersNorAnotherContainer(RootfsManager.Mode mode) throws IOException {
        ImageDetails image = store.inspect("two:1");
        List<Map<String, String>> layersBefore = new ArrayList<>();
        for (ImageDetails.Layer l : image.layers()) {
            layersBefore.add(Sentinel.snapshot(l.unpacked()));
        }
        Rootfs a = create(mode, "a", "two:1");
        Rootfs b = create(mode, "b", "two:1");
        Files.writeString(a.path().resolve("etc/os-release"), "ID=changed\n");
        Files.writeString(a.path().resolve("new-file"), "a only\n");
        Files.delete(a.path().resolve("etc/motd"));
        Files.setPosixFilePermissions(a.path().resolve("usr/lib/libc.so"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

        assertThat(b.path().resolve("etc/os-release")).hasContent("ID=base");
        assertThat(b.path().resolve("etc/motd")).hasContent("top");
        assertThat(b.path().resolve("new-file")).doesNotExist();
        for (int i = 0; i < image.layers().size(); i++) {
            assertThat(Sentinel.snapshot(image.layers().get(i).unpacked())).isEqualTo(layersBefore.get(i));
        }
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void deleteLeavesNoMountAndNoDirectory(RootfsManager.Mode mode) throws IOException {
        Rootfs r = create(mode, "gone", "two:1");
        Path dir = store.layout().container("gone");
        manager.delete("gone");
        assertThat(Mounts.under(dir)).isEmpty();
        assertThat(dir).doesNotExist();
        assertThat(r.path()).doesNotExist();
        // and the image is free again
        store.remove("two:1", false);
        assertThat(store.layout().layers()).isEmptyDirectory();
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void deleteIsRefusedWhileAProcessInAnotherMountNamespaceRunsOnIt(RootfsManager.Mode mode) throws Exception {
        Requirements.command("unshare", "util-linux");
        Rootfs r = create(mode, "busy", "two:1");
        Path root = r.path();
        // What a container does: its own mount namespace, the root bound where it runs on it (pivot_root
        // makes that "/"; another directory stands in for it here). A plain copy of the host's mounts
        // at the same place, which every namespace cloned meanwhile has, is not a user.
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Process copy = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "600").start();
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" \"$1\" && echo ready && exec sleep 600", root.toString(), elsewhere.toString()).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine()).isEqualTo("ready");
            Path ownNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
            for (int i = 0; Files.readSymbolicLink(Path.of("/proc/" + copy.pid() + "/ns/mnt")).equals(ownNs); i++) {
                assertThat(i).as("unshare made its mount namespace").isLessThan(500);
                Thread.sleep(10);
            }
            assertThatThrownBy(() -> manager.delete("busy"))
                    .isInstanceOf(RootfsInUseException.class)
                    .hasMessageStartingWith("cannot delete the root filesystem of container 'busy': " + root
                            + " is still mounted in the mount namespace of process " + p.pid() + " (") // sh, or sleep once it exec'd
                    .hasMessageEndingWith("which runs on it; delete that container first, then its root filesystem")
                    .hasMessageNotContaining("\n");
            // Refused before touching anything: the root and the container's writes are all there.
            assertThat(Mounts.isMountPoint(root)).isEqualTo(mode == RootfsManager.Mode.OVERLAY);
            assertThat(root.resolve("etc/motd")).hasContent("top");
            assertThat(manager.kind("busy")).contains(r.kind());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        try {
            manager.delete("busy");
            assertThat(copy.isAlive()).as("deleted while a namespace with a mere copy still exists").isTrue();
        } finally {
            copy.destroyForcibly();
            copy.waitFor();
        }
        assertThat(store.layout().container("busy")).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void aLowerLayerSymlinkOutIsNotFollowedByAnUpperLayer(RootfsManager.Mode mode) throws IOException {
        // CVE-2021-29136 across layers: layer 1 links x to a host dir (and y to /.), layer 2 writes through them.
        Sentinel sentinel = new Sentinel(tmp.resolve("outside"));
        Map<String, String> before = sentinel.snapshot();
        byte[] one = new TarBuilder().symlink("x", sentinel.dir().toString()).symlink("y", "/.").tar();
        byte[] two = new TarBuilder().file("x/passwd", "pwned", 0777).dir("x/sub", 0777).file("y/" + sentinel.dir() + "/passwd", "pwned").tar();
        TestImages.register(store, "cve:1", one, two);
        Rootfs r = create(mode, "cve", "cve:1");
        assertThat(Files.isDirectory(r.path().resolve("x"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(r.path().resolve("x/passwd")).hasContent("pwned");
        Files.writeString(r.path().resolve("x/passwd"), "written in the container");
        assertThat(sentinel.snapshot()).isEqualTo(before);
    }

    @Test
    void busyboxRootfsRunsUnderChroot() throws IOException {
        Requirements.command("chroot", "coreutils");
        Path layout = ImageFixtures.busyboxLayout(tmp);
        store.importLayout(layout, ImageFixtures.TAG, "busybox:1", Progress.NONE);
        Rootfs r = create(RootfsManager.Mode.OVERLAY, "bb", "busybox:1");
        List<String> out = ImageFixtures.lines("chroot", r.path().toString(), "/bin/sh", "-c",
                "cat /etc/motd; test -e /etc/hostname && echo hostname-present || echo hostname-gone; echo written > /tmp/x; cat /tmp/x");
        assertThat(out).containsExactly("layer two", "hostname-gone", "written");
        assertThat(store.layout().container("bb").resolve("upper/tmp/x")).hasContent("written");
    }

    @Test
    void openRemountsAfterTheMountWentAwayAndKeepsTheContainersWrites() throws IOException {
        Rootfs r = create(RootfsManager.Mode.OVERLAY, "reboot", "two:1");
        Files.writeString(r.path().resolve("etc/state"), "kept\n");
        ImageFixtures.run("umount", r.path().toString()); // what a host reboot does to it
        assertThat(Mounts.isMountPoint(r.path())).isFalse();
        Rootfs again = manager.open("reboot");
        assertThat(again).isEqualTo(r);
        assertThat(Mounts.isMountPoint(r.path())).isTrue();
        assertThat(r.path().resolve("etc/state")).hasContent("kept");
        assertThat(manager.open("reboot")).isEqualTo(r); // already mounted: nothing to do
        assertThat(Mounts.under(r.path())).hasSize(1);
        assertThatThrownBy(() -> manager.open("never-created")).hasMessageContaining("has no root filesystem");
    }

    @ParameterizedTest
    @EnumSource(value = RootfsManager.Mode.class, names = {"OVERLAY", "COPY"})
    void imageWithoutLayersGivesAnEmptyWritableRoot(RootfsManager.Mode mode) throws IOException {
        TestImages.register(store, "scratch:1");
        Rootfs r = create(mode, "scratch", "scratch:1");
        assertThat(r.path()).isEmptyDirectory();
        Files.writeString(r.path().resolve("f"), "x");
        manager.delete("scratch");
        assertThat(store.layout().container("scratch")).doesNotExist();
    }

    @Test
    void badRequestsAreClearErrorsAndLeaveNothing() throws IOException {
        manager = new RootfsManager(store, RootfsManager.Mode.OVERLAY);
        assertThatThrownBy(() -> manager.create("c9", "missing:1")).hasMessageContaining("no image named 'docker.io/library/missing:1'");
        assertThat(store.layout().container("c9")).doesNotExist();
        assertThatThrownBy(() -> manager.create("../x", "two:1")).hasMessageContaining("invalid container id");
        create(RootfsManager.Mode.OVERLAY, "twice", "two:1");
        assertThatThrownBy(() -> manager.create("twice", "two:1")).hasMessageContaining("already has a root filesystem");
        assertThat(Mounts.under(store.layout().container("twice"))).hasSize(1);
    }

    @Test
    void tooManyLayersFallBackToACopyInAutoMode() throws IOException {
        byte[][] layers = new byte[70][];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new TarBuilder().file("layer" + i, "n" + i).tar();
        }
        TestImages.register(store, "tall:1", layers);
        manager = new RootfsManager(store, RootfsManager.Mode.OVERLAY);
        assertThatThrownBy(() -> manager.create("tall-o", "tall:1")).hasMessageContaining("too many for one overlay mount");
        assertThat(store.layout().container("tall-o")).doesNotExist();
        Rootfs r = create(RootfsManager.Mode.AUTO, "tall-a", "tall:1");
        assertThat(r.kind()).isEqualTo(RootfsKind.COPY);
        assertThat(r.path().resolve("layer0")).hasContent("n0");
        assertThat(r.path().resolve("layer69")).hasContent("n69");
    }

    @Test
    void busyboxFixtureIsAvailable() {
        assertThat(BusyboxRootfs.path().resolve("bin/busybox")).isRegularFile();
    }
}
