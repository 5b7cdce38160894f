package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;

/** A new user namespace from linux.uidMappings/gidMappings, seen from inside and from the host. */
class UserNamespaceTest {
    private static final Spec.IdMapping UIDS = new Spec.IdMapping(0, 100000, 65536);
    private static final Spec.IdMapping GIDS = new Spec.IdMapping(0, 200000, 65536);

    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    /** The first Uid:/Gid: value (real id) of a process as the host sees it. */
    private static String hostId(int pid, String field) throws Exception {
        return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow().split("\\s+")[1];
    }

    private static String squeeze(String s) {
        return s.replaceAll("[ \\t]+", " ").replaceAll("(?m)^ ", "");
    }

    @Test
    void containerRootIsTheMappedHostUserOutside() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; touch /tmp/x 2>&1; exit 0"),
                b -> b.namespace("user").idMappings(List.of(UIDS), List.of(GIDS)));
        Container c = f.runtime.create("u1", bundle, f.stdio());
        // Created: the process waits at the start gate with its final identity already set.
        assertThat(hostId(c.pid(), "Uid")).isEqualTo("100000");
        assertThat(hostId(c.pid(), "Gid")).isEqualTo("200000");
        assertThat(Files.readString(Path.of("/proc", Integer.toString(c.pid()), "setgroups")).trim())
                .as("gid_map written directly, as runc does as root").isEqualTo("allow");
        f.runtime.start("u1");
        assertThat(c.waitFor().exitCode()).as("exit code; stderr: %s", f.stderr()).isZero();
        // The busybox root is read-only: writing it fails even for the namespace's root.
        assertThat(squeeze(f.stdout())).isEqualTo("0 100000 65536\n0 200000 65536\n0\n0\ntouch: /tmp/x: Read-only file system\n");
        f.runtime.delete("u1", false);
    }

    @Test
    void execJoinsTheUserNamespace() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "60"), b -> b.namespace("user").idMappings(List.of(UIDS), List.of(GIDS)));
        Container c = f.runtime.create("u2", bundle, f.stdio());
        f.runtime.start("u2");
        Spec.Process p = SpecJson.read(bundle.resolve("config.json")).process();
        Spec.Process exec = p.toBuilder().args("sh", "-c", "id -u; cat /proc/self/uid_map").build();
        try (ExecProcess e = f.runtime.exec("u2", exec, f.stdio(), false)) {
            assertThat(hostId(e.pid(), "Uid")).isEqualTo("100000");
            assertThat(e.waitFor(Duration.ofSeconds(10)).orElseThrow().exitCode()).as("stderr: %s", f.stderr()).isZero();
        }
        assertThat(squeeze(f.stdout())).isEqualTo("0\n0 100000 65536\n");
        f.runtime.kill("u2", io.berth.runtime.linux.Signals.SIGKILL, false);
        c.waitFor(Duration.ofSeconds(10)).orElseThrow();
    }

    @Test
    void withoutItsOwnNetworkNamespaceSysIsTheHostsBoundReadOnly() throws Exception {
        // The kernel refuses a sysfs mount to a user namespace that does not own the network namespace.
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sh", "-c",
                "ls /sys/kernel >/dev/null && echo listed; awk '$5 == \"/sys\" {print $3, $6}' /proc/self/mountinfo"),
                b -> b.withoutNamespace("network").namespace("user").idMappings(List.of(UIDS), List.of(GIDS)));
        Container c = f.runtime.create("u3", bundle, f.stdio());
        f.runtime.start("u3");
        assertThat(c.waitFor().exitCode()).as("exit code; stderr: %s", f.stderr()).isZero();
        // The host's own sysfs (same device number), not a new instance, and read-only.
        String hostSys = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" "))
                .filter(l -> l[4].equals("/sys")).findFirst().orElseThrow()[2];
        assertThat(f.stdout()).startsWith("listed\n" + hostSys + " ro,").hasLineCount(2);
        f.runtime.delete("u3", false);
    }
}
