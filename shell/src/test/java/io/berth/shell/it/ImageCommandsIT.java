package io.berth.shell.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.berth.shell.it.ConsoleProcess.Result;
import io.berth.testkit.BusyboxRootfs;

/**
 * The console's {@code image} commands against a real daemon: import from a file and from
 * standard input, ls, inspect, rm refused while a pod uses the image; and the sequence
 * scripts/demo.sh runs (import, run, logs, delete).
 */
class ImageCommandsIT {
    private static TestDaemon daemon;
    private static Path tar;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        tar = daemon.dir.resolve("rootfs.tar.gz");
        Process p = new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-czf", tar.toString(), ".")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static Result ok(String... args) {
        return daemon.ok(args);
    }

    private static void fails(Result r, String... fragments) {
        r.assertOneLineError(fragments);
    }

    @Test
    void importListInspectAndRemoveRefusedWhileAPodUsesIt() throws Exception {
        Result imported = ok("image", "import", tar.toString(), "--name", "demo/busybox:1");
        assertThat(imported.out()).matches("Imported docker\\.io/demo/busybox:1 \\(sha256-[0-9a-f]{12}, [0-9.]+(KiB|MiB)\\)\\n");
        assertThat(ok("image", "ls").out()).containsPattern("IMAGE\\s+ID\\s+SIZE\\s+CREATED")
                .containsPattern("docker\\.io/demo/busybox:1\\s+sha256-[0-9a-f]{12}\\s+[0-9.]+(KiB|MiB)")
                .containsPattern("docker\\.io/library/busybox:latest\\s+sha256-");
        assertThat(ok("get", "images").out()).contains("docker.io/demo/busybox:1");
        assertThat(ok("image", "inspect", "demo/busybox:1").out()).contains("\"kind\" : \"Image\"")
                .contains("\"references\"").contains("docker.io/demo/busybox:1");

        ok("run", "user", "--image", "demo/busybox:1", "--", "sleep", "3600");
        fails(daemon.berth("image", "rm", "demo/busybox:1"), "is used by pod default/user", "berth delete pod user");
        assertThat(ok("image", "ls").out()).contains("docker.io/demo/busybox:1");
        ok("delete", "pod", "user", "--now");
        assertThat(ok("image", "rm", "demo/busybox:1").out()).startsWith("Untagged demo/busybox:1 (sha256-");
        assertThat(ok("image", "ls").out()).doesNotContain("demo/busybox");
        fails(daemon.berth("image", "inspect", "demo/busybox:1"), "image \"demo/busybox:1\" not found", "berth image ls");
    }

    @Test
    void importFromStandardInput() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ConsoleProcess.launcher().toString(), "image", "import", "-", "--name", "piped:1")
                .redirectInput(tar.toFile());
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("BERTH_HOME", daemon.home.toString());
        pb.environment().put("NO_COLOR", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + err).isZero();
        assertThat(out).startsWith("Imported docker.io/library/piped:1 (sha256-");
        ok("image", "rm", "piped:1");
    }

    @Test
    void refusalsAreOneLine() throws Exception {
        Path junk = daemon.dir.resolve("notes.txt");
        Files.writeString(junk, "not an image\n".repeat(100));
        fails(daemon.berth("image", "import", junk.toString(), "--name", "junk"), "not a tar archive",
                "root filesystem tarball", "oci-archive", "docker-archive");
        fails(daemon.berth("image", "import", daemon.dir.resolve("absent.tar").toString(), "--name", "x"), "does not exist");
        fails(daemon.berth("image", "import", tar.toString()), "carries no image name", "--name NAME");
        fails(daemon.berth("image", "import", tar.toString(), "--name", "Bad Name"), "cannot import the image");
        fails(daemon.berth("image", "rm", "nosuch"), "image \"nosuch\" not found");
        assertThat(ok("image", "ls").out()).doesNotContain("junk");
        assertThat(daemon.home.resolve("images/uploads")).isEmptyDirectory();
    }

    /** What scripts/demo.sh does after its import: run a pod from busybox, print its logs, delete it. */
    @Test
    void theDemoSequence() {
        ok("run", "demo", "--image", "busybox", "--restart", "Never", "--",
                "sh", "-c", "echo \"hostname=$(hostname) pid=$$\"; ps");
        Result logs = ok("logs", "-f", "demo");
        assertThat(logs.out()).contains("hostname=demo pid=1\n").containsPattern("PID\\s+USER\\s+COMMAND")
                .containsPattern("\\n\\s+1 root\\s+");
        Awaitility.await().atMost(30, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                .until(() -> daemon.berth("get", "pods", "demo").out().contains("Completed"));
        ok("delete", "pod", "demo");
        assertThat(ok("get", "pods").out() + daemon.berth("get", "pods").err()).doesNotContain("demo");
    }
}
