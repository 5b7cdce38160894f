package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.berth.image.content.Progress;
import io.berth.image.rootfs.RootfsManager;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.store.NodeRecords;
import io.berth.orchestrator.store.PodRecord;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * A daemon that stops (its Spring context closed, which is what its SIGTERM shutdown hook does)
 * leaves its pods running: nothing on the way down may close the ContainerRuntime, which would kill
 * every container it created. The next daemon adopts them.
 */
class DaemonStopTest {
    @Test
    void aStoppedDaemonLeavesItsPodsRunningAndTheNextOneAdoptsThem() throws Exception {
        Requirements.root();
        Requirements.command("kubectl", "kubectl");
        Path dir = Files.createTempDirectory("berth-stop-test");
        Path state = dir.resolve("state");
        String cgroupParent = "/berth-stop-" + ProcessHandle.current().pid();
        try {
            Path tar = dir.resolve("busybox.tar");
            Process p = new ProcessBuilder("tar", "-C", BusyboxRootfs.path().toString(), "-cf", tar.toString(), ".").inheritIO().start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar of the busybox rootfs").isTrue();
            new ImageStore(state).importRootfs(tar, "busybox", Progress.NONE);
            Files.delete(tar);
            String pod = """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: kept}
                    spec:
                      containers:
                      - name: main
                        image: busybox
                        imagePullPolicy: IfNotPresent
                        command: ["sleep", "3600"]
                    """;
            ProcessIdentity main;
            String uid;
            try (DaemonFixture d = new DaemonFixture(dir, cgroupParent)) {
                d.removeOnClose = false;
                assertThat(d.kubectlWithInput(pod, "apply", "-f", "-").exit()).isZero();
                Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                        d.kubectl("get", "pod", "kept", "-o", "jsonpath={.status.phase}").out().equals("Running"));
                uid = d.kubectl("get", "pod", "kept", "-o", "jsonpath={.metadata.uid}").out();
                PodRecord.Instance run = new NodeRecords(state.resolve("node")).load(uid).containers.get("main").current;
                main = new ProcessIdentity(run.pid, run.pidStartTime);
            }
            assertThat(main.isAlive()).as("the container outlives the daemon").isTrue();
            try (DaemonFixture d = new DaemonFixture(dir, cgroupParent)) {
                d.removeOnClose = false;
                Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() ->
                        d.kubectl("get", "pods").out().matches("(?s).*kept\\s+1/1\\s+Running\\s+0.*"));
                assertThat(new NodeRecords(state.resolve("node")).load(uid).containers.get("main").current.pid).isEqualTo(main.pid());
                assertThat(d.kubectl("delete", "pod", "kept", "--grace-period=0", "--timeout=60s").exit()).isZero();
                assertThat(main.isAlive()).isFalse();
            }
        } finally {
            // Whatever a failure left: the processes, their overlay mounts, the cgroups, the files.
            try {
                Cgroups.open(cgroupParent).killAll(9);
            } catch (RuntimeException e) {
                // none left
            }
            Path containers = state.resolve("containers");
            if (Files.isDirectory(containers)) {
                RootfsManager rm = new RootfsManager(new ImageStore(state), RootfsManager.Mode.AUTO);
                try (var s = Files.list(containers)) {
                    for (Path c : s.toList()) {
                        rm.delete(c.getFileName().toString());
                    }
                }
            }
            Cgroups.open(cgroupParent).destroy();
            DaemonFixture.deleteTree(dir);
        }
    }
}
