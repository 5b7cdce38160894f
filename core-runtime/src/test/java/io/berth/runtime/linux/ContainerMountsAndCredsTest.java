package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/** Read-only root, bind mounts from the spec, and capabilities of a non-root user. */
@Timeout(60)
class ContainerMountsAndCredsTest {
    @TempDir
    Path tmp;

    TestContainer container;
    List<String> mountsBefore;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        container = new TestContainer(BusyboxRootfs.path());
        mountsBefore = ContainerIsolationTest.mounts(tmp);
    }

    @AfterEach
    void noMountLeaks() throws Exception {
        if (mountsBefore != null) {
            assertThat(ContainerIsolationTest.mounts(tmp)).isEqualTo(mountsBefore);
        }
    }

    @Test
    void readonlyRootRefusesWritesButTmpfsMountsStayWritable() throws Exception {
        container.readonlyRoot = true;
        var r = container.run(tmp, "touch /newfile 2>&1 | grep -c 'Read-only'; touch /tmp/x 2>&1 | grep -c 'Read-only';"
                + " touch /dev/shm/x && echo shm-ok; grep ' / ' /proc/mounts | grep -c ' ro,'");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("1", "1", "shm-ok", "1");
        assertThat(container.rootfs.resolve("newfile")).doesNotExist();
    }

    @Test
    void specBindMountsOfADirectoryAndAFile() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("hello.txt"), "from the host\n");
        Path conf = Files.writeString(tmp.resolve("app.conf"), "key=value\n");
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        container = new TestContainer(rootfs);
        container.extraMounts = List.of(
                new MountSpec("/data", "bind", data.toString(), List.of("rbind", "rw")),
                new MountSpec("/etc/app/app.conf", "bind", conf.toString(), List.of("bind", "ro", "nosuid")),
                new MountSpec("/scratch", "tmpfs", "tmpfs", List.of("nodev", "size=1m", "mode=1777")));
        var r = container.run(tmp, "cat /data/hello.txt /etc/app/app.conf; echo written > /data/out.txt;"
                + " echo x 2>/dev/null > /etc/app/app.conf || echo conf-ro; grep ' /scratch tmpfs ' /proc/mounts | grep -c size=1024k;"
                + " stat -c %a /scratch");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("from the host", "key=value", "conf-ro", "1", "1777");
        assertThat(Files.readString(data.resolve("out.txt"))).isEqualTo("written\n");
        assertThat(Files.readString(conf)).isEqualTo("key=value\n");
        // The targets were created inside the rootfs copy, nowhere else.
        assertThat(rootfs.resolve("etc/app/app.conf")).isRegularFile();
        assertThat(rootfs.resolve("data")).isDirectory();
    }

    @Test
    void bindTargetBehindASymlinkStaysInsideTheRootfs() throws Exception {
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        // A hostile image: /evil points at a host directory by absolute path.
        Files.createSymbolicLink(rootfs.resolve("evil"), outside);
        container = new TestContainer(rootfs);
        container.extraMounts = List.of(new MountSpec("/evil/mnt", "tmpfs", "tmpfs", List.of()));
        var r = container.run(tmp, "grep -c ' " + outside + "/mnt tmpfs ' /proc/mounts");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(outside.resolve("mnt")).doesNotExist();
        assertThat(rootfs.resolve(outside.toString().substring(1)).resolve("mnt")).isDirectory();
    }

    @Test
    void nonRootUserGetsAmbientCapabilities() throws Exception {
        Path rootfs = BusyboxRootfs.copyTo(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        container = new TestContainer(rootfs);
        container.user = new ProcessSetup.User(1000, 1000, List.of(), 0022);
        Set<Capability> net = Set.of(Capability.NET_BIND_SERVICE);
        container.caps = new ProcessSetup.Capabilities(Capability.dockerDefaults(), net, net, net, net);
        var r = container.run(tmp, "grep -E '^(CapEff|CapAmb)' /proc/self/status; id -u");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("CapEff:\t0000000000000400", "CapAmb:\t0000000000000400", "1000");
    }

    @Test
    void ambientWithoutInheritableIsLeftOutAsRuncDoes() throws Exception {
        // `runc spec` writes ambient capabilities with no inheritable set; runc runs it, and so must Berth.
        Set<Capability> net = Set.of(Capability.NET_BIND_SERVICE);
        container.caps = new ProcessSetup.Capabilities(Capability.dockerDefaults(), net, net, Set.of(), net);
        var r = container.run(tmp, "grep -E '^(CapEff|CapAmb)' /proc/self/status");
        assertThat(r.status().code()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("CapEff:\t0000000000000400", "CapAmb:\t0000000000000000");
    }
}
