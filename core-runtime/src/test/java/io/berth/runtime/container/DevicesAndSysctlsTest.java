package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.oci.Spec;
import io.berth.testkit.BusyboxRootfs;

/** linux.devices and linux.sysctl, checked from inside real containers (busybox stat and cat). */
class DevicesAndSysctlsTest {
    private static final String STAT = "stat -c '%n %F %t:%T %a %u:%g' ";

    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    private String run(String id, Path bundle) throws Exception {
        Container c = f.runtime.create(id, bundle, f.stdio());
        f.runtime.start(id);
        ExitResult exit = c.waitFor();
        assertThat(exit.exitCode()).as("exit code; stderr: %s", f.stderr()).isZero();
        f.runtime.delete(id, false);
        return f.stdout();
    }

    @Test
    void deviceNodesHaveTheTypeNumbersModeAndOwnerAsked() throws Exception {
        List<Spec.Device> devices = List.of(
                new Spec.Device("c", "/dev/mynull", 1L, 3L, 0620, 1L, 2L),
                new Spec.Device("u", "/dev/deep/er/myzero", 1L, 5L, null, null, null),
                new Spec.Device("b", "/dev/myloop", 7L, 300L, 0600, null, 6L),
                new Spec.Device("p", "/dev/myfifo", null, null, 0640, 3L, 4L),
                // replaces the default /dev/null (1:3, 0666)
                new Spec.Device("c", "/dev/null", 1L, 7L, 0604, null, null));
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c",
                STAT + "/dev/mynull /dev/deep/er/myzero /dev/myloop /dev/myfifo /dev/null; " + "head -c 3 /dev/deep/er/myzero | od -An -tx1"),
                b -> b.devices(devices));
        assertThat(run("dev1", bundle)).isEqualTo(String.join("\n",
                "/dev/mynull character special file 1:3 620 1:2",
                "/dev/deep/er/myzero character special file 1:5 666 0:0",
                "/dev/myloop block special file 7:12c 600 0:6",
                "/dev/myfifo fifo 0:0 640 3:4",
                "/dev/null character special file 1:7 604 0:0",
                " 00 00 00", ""));
    }

    @Test
    void aDeviceOutsideDevReplacesWhatTheImageHasThere() throws Exception {
        Path rootfs = BusyboxRootfs.copyTo(dir.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("opt"));
        Files.writeString(rootfs.resolve("opt/tty"), "a regular file the device replaces");
        List<Spec.Device> devices = List.of(new Spec.Device("c", "/opt/tty", 5L, 0L, 0660, 0L, 5L),
                new Spec.Device("p", "/srv/pipes/in", null, null, 0600, null, null));
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", STAT + "/opt/tty /srv/pipes/in"),
                b -> b.rootPath(rootfs).devices(devices));
        assertThat(run("dev2", bundle)).isEqualTo("/opt/tty character special file 5:0 660 0:5\n/srv/pipes/in fifo 0:0 600 0:0\n");
    }

    @Test
    void sysctlsAreWrittenInTheContainersNamespacesOnly() throws Exception {
        String hostForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
        String hostShmmax = Files.readString(Path.of("/proc/sys/kernel/shmmax")).trim();
        String forward = hostForward.equals("1") ? "0" : "1";
        String shmmax = hostShmmax.equals("12345678") ? "87654321" : "12345678";
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c",
                "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname"),
                b -> b.sysctl(Map.of("net.ipv4.ip_forward", forward, "kernel.shmmax", shmmax,
                        "fs.mqueue.msg_max", "17", "kernel.domainname", "example.test")));
        assertThat(run("sys1", bundle)).isEqualTo(forward + "\n" + shmmax + "\n17\nexample.test\n");
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim()).as("host's ip_forward").isEqualTo(hostForward);
        assertThat(Files.readString(Path.of("/proc/sys/kernel/shmmax")).trim()).as("host's shmmax").isEqualTo(hostShmmax);
    }
}
