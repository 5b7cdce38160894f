package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsSetupTest {
    @TempDir
    Path root;

    @Test
    void symlinksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("real/dir"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/real"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../../../../etc"));
        Files.createSymbolicLink(root.resolve("real/up"), Path.of("../.."));
        assertThat(RootfsSetup.resolveInRoot(root, "/abs/dir")).isEqualTo("real/dir");
        assertThat(RootfsSetup.resolveInRoot(root, "/escape/passwd")).isEqualTo("etc/passwd");
        assertThat(RootfsSetup.resolveInRoot(root, "/../../x")).isEqualTo("x");
        assertThat(RootfsSetup.resolveInRoot(root, "/real/up/real/dir")).isEqualTo("real/dir");
        assertThat(RootfsSetup.resolveInRoot(root, "/real/up/up/x")).isEqualTo("up/x");
        assertThat(RootfsSetup.resolveInRoot(root, "/")).isEqualTo(".");
        assertThat(RootfsSetup.resolveInRoot(root, "/new/./a//b")).isEqualTo("new/a/b");
    }

    @Test
    void destinationsUnderAnEarlierMountIgnoreTheImagesSymlinksThere() throws Exception {
        // A hostile image whose /dev/pts points at /etc: after /dev is a fresh tmpfs that link is gone.
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("dev/pts"), Path.of("/etc"));
        List<ChildOp> ops = RootfsSetup.prepare(root, false, RootfsSetup.defaultMounts(), List.of(), List.of(), null,
                false, false, null);
        assertThat(ops).anySatisfy(op -> assertThat(op).isInstanceOfSatisfying(ChildOp.Mount.class,
                m -> assertThat(m.fstype() + " " + m.target()).isEqualTo("devpts dev/pts")));
        assertThat(ops).noneMatch(op -> op instanceof ChildOp.Mount && ((ChildOp.Mount) op).target().equals("etc"));
        assertThat(RootfsSetup.resolveInRoot(root, "/dev/pts")).isEqualTo("etc");
    }

    @Test
    void symlinkLoopIsAClearError() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        assertThatThrownBy(() -> RootfsSetup.resolveInRoot(root, "/a/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("too many symlinks resolving /a/x");
    }

    @Test
    void stepsComeInTheDocumentedOrder() {
        List<ChildOp> ops = RootfsSetup.prepare(root, true, RootfsSetup.defaultMounts(), List.of("/proc/kcore"),
                List.of("/proc/sys"), "h", true, false, null);
        assertThat(ops.get(0)).isEqualTo(ChildOp.Mount.propagation("/", MountFlags.REC | MountFlags.SLAVE));
        assertThat(ops).contains(new ChildOp.Bind(root.toString(), root.toString(), true, 0));
        int proc = ops.indexOf(new ChildOp.Mount("proc", "proc", "proc",
                MountFlags.NOSUID | MountFlags.NOEXEC | MountFlags.NODEV, null));
        int pivot = ops.indexOf(new ChildOp.PivotRoot());
        int mask = ops.indexOf(new ChildOp.IfExists(new ChildOp.MaskPath("/proc/kcore")));
        int ro = ops.indexOf(new ChildOp.IfExists(new ChildOp.Bind("/proc/sys", "/proc/sys", true, MountFlags.RDONLY)));
        int rootRo = ops.indexOf(new ChildOp.Remount("/", MountFlags.RDONLY));
        assertThat(proc).isPositive().isLessThan(pivot);
        assertThat(pivot).isLessThan(mask);
        assertThat(mask).isLessThan(ro);
        assertThat(ro).isLessThan(rootRo);
        assertThat(ops.subList(rootRo, ops.size())).containsExactly(new ChildOp.Remount("/", MountFlags.RDONLY),
                new ChildOp.SetHostname("h"), new ChildOp.LoopbackUp());
        assertThat(ops).contains(ChildOp.MakeNod.charDevice("dev/null", 0666, 1, 3),
                new ChildOp.Symlink("pts/ptmx", "dev/ptmx"));
    }

    @Test
    void specDevicesFollowTheDefaultNodesAndSysctlsFollowPivot() {
        DeviceNode node = new DeviceNode("/dev/null", DeviceNode.Type.CHAR, 1, 7, 0600, 1, 2);
        DeviceNode outside = new DeviceNode("/opt/x/fifo", DeviceNode.Type.FIFO, 0, 0, 0644, 0, 0);
        List<ChildOp> ops = RootfsSetup.prepare(root, false, RootfsSetup.defaultMounts(), List.of(node, outside),
                java.util.Map.of("net.ipv4.ip_forward", "1"), List.of(), List.of("/proc/sys"), null, false, false, null);
        int defaultNull = ops.indexOf(ChildOp.MakeNod.charDevice("dev/null", 0666, 1, 3));
        int specNull = ops.indexOf(new ChildOp.MakeNod("dev/null", ChildOp.MakeNod.S_IFCHR | 0600, 1, 7, 1, 2, true));
        int fifoDir = ops.indexOf(new ChildOp.MakeDir("opt/x", 0755));
        int fifo = ops.indexOf(new ChildOp.MakeNod("opt/x/fifo", ChildOp.MakeNod.S_IFIFO | 0644, 0, 0, 0, 0, true));
        int pivot = ops.indexOf(new ChildOp.PivotRoot());
        int sysctl = ops.indexOf(new ChildOp.Sysctl("net.ipv4.ip_forward", "1"));
        int ro = ops.indexOf(new ChildOp.IfExists(new ChildOp.Bind("/proc/sys", "/proc/sys", true, MountFlags.RDONLY)));
        assertThat(defaultNull).isPositive().isLessThan(specNull);
        assertThat(specNull).isLessThan(fifoDir);
        assertThat(fifoDir).isLessThan(fifo);
        assertThat(fifo).isLessThan(pivot);
        assertThat(pivot).isLessThan(sysctl);
        assertThat(sysctl).isLessThan(ro);
        assertThat(new ChildOp.Sysctl("net.ipv4.ip_forward", "1").path()).isEqualTo("/proc/sys/net/ipv4/ip_forward");
        assertThatThrownBy(() -> RootfsSetup.prepare(root, false, List.of(new MountSpec("/dev", "bind", "/dev", List.of("rbind"))),
                List.of(node), java.util.Map.of(), List.of(), List.of(), null, false, false, null))
                .hasMessageStartingWith("linux.devices cannot be created when /dev is a bind mount");
    }

    @Test
    void userNamespaceBindsDevicesInsteadOfMknod() {
        List<ChildOp> ops = RootfsSetup.prepare(root, false, RootfsSetup.defaultMounts(), List.of(), List.of(), null,
                false, true, "rprivate");
        assertThat(ops.get(0)).isEqualTo(ChildOp.Mount.propagation("/", MountFlags.REC | MountFlags.PRIVATE));
        assertThat(ops).contains(new ChildOp.Bind("/dev/null", "dev/null", false, 0))
                .noneMatch(op -> op instanceof ChildOp.MakeNod);
    }

    @Test
    void badInputsAreClearErrors() {
        assertThatThrownBy(() -> RootfsSetup.prepare(Path.of("rel"), false, List.of(), List.of(), List.of(), null, false,
                false, null)).hasMessageStartingWith("rootfs \"rel\" is not absolute");
        assertThatThrownBy(() -> new MountSpec("data", "tmpfs", "tmpfs", List.of()))
                .hasMessageStartingWith("mount destination \"data\" is not absolute");
        assertThatThrownBy(() -> RootfsSetup.prepare(root, false, List.of(new MountSpec("/d", "bind", "rel", List.of("rbind"))),
                List.of(), List.of(), null, false, false, null)).hasMessage("bind mount /d needs an absolute source path");
        assertThatThrownBy(() -> RootfsSetup.prepare(root, false, List.of(), List.of("proc/kcore"), List.of(), null,
                false, false, null)).hasMessageStartingWith("masked path \"proc/kcore\" is not absolute");
        assertThatThrownBy(() -> RootfsSetup.prepare(root, false, List.of(), List.of(), List.of(), null, false, false,
                "nosuid")).hasMessageStartingWith("root propagation \"nosuid\" is not a propagation");
        assertThatThrownBy(() -> ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(java.util.Set.of()),
                false, List.of(), "tmp", List.of("sh"), "/bin")).hasMessageStartingWith("working directory \"tmp\" is not absolute");
        assertThatThrownBy(() -> ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(java.util.Set.of()),
                false, List.of(new ProcessSetup.Limit(Rlimit.NOFILE, 10, 5)), "/", List.of("sh"), "/bin"))
                .hasMessage("rlimit RLIMIT_NOFILE: soft 10 is above hard 5");
    }
}
