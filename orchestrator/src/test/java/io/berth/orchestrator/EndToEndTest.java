package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The whole daemon: kubectl, the API, and the real node side running a busybox pod. */
class EndToEndTest {

    @Test
    void kubectlRunsLogsAndDeletesARealPod() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        Path rootfs = BusyboxRootfs.path();
        Path dir = Files.createTempDirectory("berth-e2e-test");
        try {
            Path state = dir.resolve("state");
            Path tar = dir.resolve("busybox.tar");
            Process p = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".").inheritIO().start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
            new ImageStore(state).importRootfs(tar, "busybox", Progress.NONE);
            Files.delete(tar);
        } catch (Exception | AssertionError e) {
            DaemonFixture.deleteTree(dir);
            throw e;
        }
        try (DaemonFixture d = DaemonFixture.withNode(dir, "e2e")) {
            run(d, dir.resolve("state"));
        }
    }

    private static void run(DaemonFixture d, Path state) throws Exception {
        java.time.Instant before = java.time.Instant.now();
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: real, labels: {app: real}}
                spec:
                  terminationGracePeriodSeconds: 3
                  containers:
                  - name: main
                    image: busybox
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "echo hello from a real pod; echo and its stderr >&2; exec sleep 3600"]
                """;
        DaemonFixture.Result created = d.kubectlWithInput(pod, "apply", "-f", "-");
        assertThat(created.exit()).as(created.toString()).isZero();
        org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                d.kubectl("get", "pod", "real", "-o", "jsonpath={.status.phase}").out().equals("Running"));
        assertThat(d.kubectl("get", "pods").out()).containsPattern("real\\s+1/1\\s+Running\\s+0");
        org.awaitility.Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() ->
                d.kubectl("logs", "real").out().equals("hello from a real pod\nand its stderr\n"));
        // Each line stamped by the run's monitor when it read it: within this test's time, in order.
        String stamped = d.kubectl("logs", "real", "--timestamps").out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z) hello from a real pod\n(\\S+) and its stderr\n").matcher(stamped);
        assertThat(m.matches()).as(stamped).isTrue();
        java.time.Instant first = java.time.Instant.parse(m.group(1));
        assertThat(first).isAfter(before).isBeforeOrEqualTo(java.time.Instant.parse(m.group(2)));
        assertThat(java.time.Instant.parse(m.group(2))).isBeforeOrEqualTo(java.time.Instant.now());
        assertThat(d.kubectl("logs", "real", "--since=1h").out()).isEqualTo("hello from a real pod\nand its stderr\n");
        assertThat(d.kubectl("logs", "real", "--since-time=" + java.time.Instant.now().plusSeconds(60).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS)).out()).isEmpty();
        assertThat(io.berth.testkit.Monitors.processes(state)).as("the run's monitor (and the next run's, made ahead)").isNotEmpty();
        DaemonFixture.Result images = d.kubectl("get", "images");
        assertThat(images.exit()).as(images.toString()).isZero();
        assertThat(images.out()).containsPattern("NAME\\s+REFERENCES\\s+SIZE\\s+CREATED")
                .containsPattern("sha256-[0-9a-f]{12}\\s+docker\\.io/library/busybox:latest\\s+[0-9.]+(B|KiB|MiB)");
        DaemonFixture.Result top = d.kubectl("top", "pod", "real");
        assertThat(top.exit()).as(top.toString()).isZero();
        assertThat(top.out()).containsPattern("NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)")
                .containsPattern("real\\s+\\d+m\\s+\\d+Mi");
        long t0 = System.nanoTime();
        DaemonFixture.Result deleted = d.kubectl("delete", "pod", "real");
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(d.kubectl("get", "pod", "real").err()).contains("not found");
        // sleep as PID 1 ignores SIGTERM: the pod goes when the grace period ends with SIGKILL
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(2900);
        assertThat(d.kubectl("get", "events").out()).contains("pod/real");
        // Its monitors (the run's and the one made ahead for its restart) went with the pod.
        assertThat(io.berth.testkit.Monitors.processes(state)).isEmpty();
        assertThat(io.berth.testkit.Monitors.directories(state)).isEmpty();
    }
}
