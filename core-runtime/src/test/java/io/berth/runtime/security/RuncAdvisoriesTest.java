package io.berth.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.container.Bundles;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.RuntimeFixture;
import io.berth.runtime.linux.ChildOp;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.ChildSetupException;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.Launcher;
import io.berth.runtime.linux.MountSpec;
import io.berth.runtime.linux.Namespace;
import io.berth.runtime.linux.ProcessSetup;
import io.berth.runtime.linux.RootfsSetup;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.testkit.BusyboxRootfs;

/**
 * One test per shape of runc's published advisories that concerns the launch (docs/security.md has
 * the audit). Where the attack is a race against the launcher, the test wins the race for the
 * attacker deterministically: it launches the child (which waits for "go" before any setup),
 * changes the root filesystem the way the racing container would, then lets it go. Host files are
 * only read; the "victims" are the test's own temporary directories.
 */
class RuncAdvisoriesTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    /** A writable copy of the busybox root (the shared one must not change). */
    private Path rootfsCopy() {
        return BusyboxRootfs.copyTo(dir.resolve("rootfs"));
    }

    /** The launch plan of a busybox container over {@code rootfs} with {@code extraMounts}, its child not yet told to go. */
    private static ChildProcess launchPaused(Path rootfs, List<MountSpec> extraMounts) {
        List<MountSpec> mounts = new ArrayList<>(RootfsSetup.defaultMounts());
        mounts.addAll(extraMounts);
        List<String> argv = List.of("/bin/true");
        List<ChildOp> ops = new ArrayList<>(RootfsSetup.prepare(rootfs, false, mounts, RootfsSetup.DEFAULT_MASKED_PATHS,
                RootfsSetup.DEFAULT_READONLY_PATHS, "advisory", false, false, null));
        ops.addAll(ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(Set.of()), true, List.of(), "/",
                argv, LaunchPlan.DEFAULT_PATH));
        LaunchPlan plan = LaunchPlan.of(argv, List.of("PATH=/bin"), Stdio.nullStdio())
                .withNewNamespaces(Set.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC)).withSetup(ops)
                .withStartGate(LaunchPlan.GATE_PIPE);
        return Launcher.launch(plan);
    }

    private static List<String> list(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** CVE-2019-19921, CVE-2023-27561: /proc swapped for a symlink after the checks, before the mount. */
    @Test
    void cve2019_19921_procSwappedForASymlinkBeforeItsMountFailsTheLaunch() throws Exception {
        Path rootfs = rootfsCopy();
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        try (ChildProcess child = launchPaused(rootfs, List.of())) {
            Files.delete(rootfs.resolve("proc"));
            Files.createSymbolicLink(rootfs.resolve("proc"), elsewhere);
            assertThatThrownBy(child::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessageStartingWith("mount proc on proc: Too many levels of symbolic links (a symlink is on the way to proc");
        }
        assertThat(list(elsewhere)).isEmpty();
    }

    /** CVE-2023-28642: /proc in the image is a symlink. Refused when the plan is made, naming it. */
    @Test
    void cve2023_28642_anImageWhoseProcOrSysIsASymlinkIsRefused() throws Exception {
        for (String d : List.of("proc", "sys")) {
            Path rootfs = BusyboxRootfs.copyTo(dir.resolve("rootfs-" + d));
            Files.delete(rootfs.resolve(d));
            Files.createSymbolicLink(rootfs.resolve(d), Path.of("/tmp"));
            Path bundle = Bundles.write(dir.resolve("b-" + d), List.of("true"), s -> s.rootPath(rootfs));
            assertThatThrownBy(() -> f.runtime.create("link-" + d, bundle, f.stdio())).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("mount /" + d + ": " + (d.equals("proc") ? "proc" : "sysfs")
                            + " must be mounted on an ordinary directory, but " + rootfs.resolve(d) + " is a symlink");
        }
        assertThat(f.runtime.list()).isEmpty();
    }

    /** CVE-2021-30465: a directory on the way to a mount destination swapped for a symlink out of the rootfs. */
    @Test
    void cve2021_30465_aMountDestinationSwappedForASymlinkDoesNotLandOutsideTheRootfs() throws Exception {
        Path rootfs = rootfsCopy();
        Files.createDirectories(rootfs.resolve("data/cache"));
        Path host = Files.createDirectories(dir.resolve("host"));
        Files.createDirectories(host.resolve("cache"));
        try (ChildProcess child = launchPaused(rootfs, List.of(new MountSpec("/data/cache", "tmpfs", "tmpfs", List.of())))) {
            BusyboxRootfs.deleteTree(rootfs.resolve("data"));
            Files.createSymbolicLink(rootfs.resolve("data"), host);
            assertThatThrownBy(child::proceed).isInstanceOf(ChildSetupException.class)
                    .hasMessageContaining("Too many levels of symbolic links (a symlink is on the way to data/cache");
        }
    }

    /** CVE-2024-45310: the same race, where the destination does not exist yet: nothing is created on the host. */
    @Test
    void cve2024_45310_noEmptyDirectoryOrFileIsCreatedOnTheHostThroughASwappedParent() throws Exception {
        for (String kind : List.of("dir", "file")) {
            Path rootfs = BusyboxRootfs.copyTo(dir.resolve("rootfs-" + kind));
            Files.createDirectories(rootfs.resolve("data"));
            Path host = Files.createDirectories(dir.resolve("host-" + kind));
            // A directory bind makes mkdir -p of the target; a file bind makes its parent and an empty file.
            MountSpec m = kind.equals("dir") ? new MountSpec("/data/new/deeper", "bind", dir.toString(), List.of("bind"))
                    : new MountSpec("/data/new/file", "bind", "/etc/hostname", List.of("bind"));
            try (ChildProcess child = launchPaused(rootfs, List.of(m))) {
                BusyboxRootfs.deleteTree(rootfs.resolve("data"));
                Files.createSymbolicLink(rootfs.resolve("data"), host);
                assertThatThrownBy(child::proceed).isInstanceOf(ChildSetupException.class)
                        .hasMessageContaining("Too many levels of symbolic links (a symlink is on the way to data/new");
            }
            assertThat(list(host)).as(kind).isEmpty();
        }
    }

    /** CVE-2024-21626: the working directory through a leaked fd, and fds leaked into the container. */
    @Test
    void cve2024_21626_noDirectoryFdReachesTheContainerAndCwdCannotGoThroughOne() throws Exception {
        for (int fd = 3; fd <= 8; fd++) {
            String cwd = "/proc/self/fd/" + fd;
            String id = "cwd" + fd;
            Path bundle = Bundles.write(dir.resolve(id), List.of("true"), s -> s.cwd(cwd));
            assertThatThrownBy(() -> f.runtime.create(id, bundle, f.stdio())).as(cwd)
                    .isInstanceOf(ChildSetupException.class).hasMessageStartingWith("chdir " + cwd + ": ");
        }
        // The waiting init holds stdio, the report pipe and the exec FIFO, none a directory; after
        // execve only stdio is left.
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "30"));
        Container c = f.runtime.create("fds", bundle, f.stdio());
        assertThat(list(Path.of("/proc/" + c.pid() + "/fd"))).containsExactlyInAnyOrder("0", "1", "2", "3", "5");
        for (String n : list(Path.of("/proc/" + c.pid() + "/fd"))) {
            assertThat(Files.isDirectory(Path.of("/proc/" + c.pid() + "/fd/" + n))).as("fd " + n).isFalse();
        }
        f.runtime.start("fds");
        assertThat(list(Path.of("/proc/" + c.pid() + "/fd"))).containsExactlyInAnyOrder("0", "1", "2");
        f.runtime.delete("fds", true);
    }

    /** CVE-2025-31133: masks made of a /dev/null that is not one (here: the "volume" at /dev holds a symlink). */
    @Test
    void cve2025_31133_aDevNullThatIsNotADeviceIsNotBoundOverMaskedPaths() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("devvolume"));
        Files.createSymbolicLink(volume.resolve("null"), Path.of("/proc/sys/kernel/core_pattern"));
        Path bundle = Bundles.write(dir.resolve("b"), List.of("true"),
                s -> s.mount(new Spec.Mount("/dev", "bind", volume.toString(), List.of("rbind"))));
        assertThatThrownBy(() -> f.runtime.create("mask", bundle, f.stdio())).isInstanceOf(ChildSetupException.class)
                .hasMessageStartingWith("mask /proc/")
                .hasMessageContaining("/dev/null in the container is not a character device");
        assertThat(Files.isSymbolicLink(volume.resolve("null"))).isTrue();
    }

    /** CVE-2025-52565: the terminal is bound onto /dev/console only if that is a file or device, not a symlink. */
    @Test
    void cve2025_52565_devConsoleAsASymlinkIsNotFollowedByTheConsoleBind() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("devvolume"));
        Files.createSymbolicLink(volume.resolve("console"), Path.of("/proc/sysrq-trigger"));
        // The volume is the container's /dev below its devpts (so the pty exists) and keeps the symlink.
        List<Spec.Mount> mounts = new ArrayList<>();
        for (Spec.Mount m : DefaultSpec.MOUNTS) {
            mounts.add(m.destination().equals("/dev") ? new Spec.Mount("/dev", "bind", volume.toString(), List.of("rbind")) : m);
        }
        Path bundle = Bundles.write(dir.resolve("b"), List.of("true"), s -> s.mounts(mounts).terminal(24, 80));
        assertThatThrownBy(() -> f.runtime.create("console", bundle, f.stdio())).isInstanceOf(ChildSetupException.class)
                .hasMessageContaining("set up the terminal: Too many levels of symbolic links (/dev/console in the container is a symlink");
        assertThat(Files.readSymbolicLink(volume.resolve("console"))).isEqualTo(Path.of("/proc/sysrq-trigger"));
    }

    /** CVE-2025-52881: a sysctl write redirected by a mount over its /proc/sys file. */
    @Test
    void cve2025_52881_aSysctlIsNotWrittenThroughAMountOverProcSys() throws Exception {
        Path decoy = Files.writeString(dir.resolve("decoy"), "unchanged\n");
        Path bundle = Bundles.write(dir.resolve("b"), List.of("true"), s -> s
                .mount(new Spec.Mount("/proc/sys/net/ipv4/ip_forward", "bind", decoy.toString(), List.of("bind")))
                .sysctl(Map.of("net.ipv4.ip_forward", "1")));
        assertThatThrownBy(() -> f.runtime.create("sysctl", bundle, f.stdio())).isInstanceOf(ChildSetupException.class)
                .hasMessageStartingWith("sysctl net.ipv4.ip_forward=1: Invalid cross-device link (/proc in the container is not a procfs root, or a mount");
        assertThat(Files.readString(decoy)).isEqualTo("unchanged\n");
    }

    /** The residual risk of docs/security.md: CAP_SYS_PTRACE without a user namespace is reported, at create and exec. */
    @Test
    void aContainerHoldingCapSysPtraceIsWarnedAboutAtCreateAndExec() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "30"),
                s -> s.process(p -> p.capabilities(Specs.defaultCapabilitiesWith("CAP_SYS_PTRACE"))));
        f.runtime.create("ptrace", bundle, f.stdio());
        assertThat(f.warnings).singleElement().asString().startsWith("container ptrace holds CAP_SYS_PTRACE without a user namespace");
        f.runtime.start("ptrace");
        try (var e = f.runtime.exec("ptrace", Specs.process(List.of("true")), f.stdio(), false)) {
            e.waitFor(Duration.ofSeconds(20)).orElseThrow();
        }
        assertThat(f.warnings).hasSize(2);
        f.runtime.delete("ptrace", true);
        // Docker's default set has no CAP_SYS_PTRACE: nothing to say.
        Path plain = Bundles.write(dir.resolve("plain"), List.of("true"));
        f.runtime.create("plain", plain, f.stdio());
        assertThat(f.warnings).hasSize(2);
    }
}
