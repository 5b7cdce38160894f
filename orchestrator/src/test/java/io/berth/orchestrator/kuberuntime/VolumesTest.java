package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;

/** emptyDir (disk and memory) shared by two containers, hostPath seen from a container, readOnly. */
class VolumesTest {
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    @Test
    void containersShareAnEmptyDirAndSeeHostPaths() throws Exception {
        Path hostDir = f.dir.resolve("host-dir"); // made by DirectoryOrCreate
        Path hostFile = f.dir.resolve("config.txt");
        Files.writeString(hostFile, "from the host\n");
        Pod pod = new PodBuilder(pod("vols", "Never",
                container("writer", b -> b
                        .addNewVolumeMount().withName("shared").withMountPath("/shared").endVolumeMount()
                        .addNewVolumeMount().withName("mem").withMountPath("/mem").endVolumeMount()
                        .addNewVolumeMount().withName("host").withMountPath("/host").endVolumeMount(),
                        "sh", "-c", "echo hi > /shared/msg.tmp && mv /shared/msg.tmp /shared/msg;"
                                + " echo from-container > /host/out; exec sleep 600"),
                container("reader", b -> b
                        .addNewVolumeMount().withName("shared").withMountPath("/data").withReadOnly(true).endVolumeMount()
                        .addNewVolumeMount().withName("mem").withMountPath("/mem").endVolumeMount()
                        .addNewVolumeMount().withName("conf").withMountPath("/etc/conf.txt").withReadOnly(true).endVolumeMount(),
                        "sh", "-c", "while [ ! -f /data/msg ]; do sleep 0.1; done; echo shared=$(cat /data/msg);"
                                + " echo conf=$(cat /etc/conf.txt); touch /data/no 2>/dev/null || echo data=ro;"
                                + " echo memfs=$(grep ' /mem ' /proc/mounts | cut -d' ' -f3);"
                                + " echo memkb=$(df -k /mem | tail -1 | awk '{print $2}'); echo done; exec sleep 600")))
                .editSpec().withTerminationGracePeriodSeconds(1L)
                .addNewVolume().withName("shared").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("mem").withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("8Mi")).endEmptyDir().endVolume()
                .addNewVolume().withName("host").withNewHostPath().withPath(hostDir.toString()).withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("conf").withNewHostPath().withPath(hostFile.toString()).withType("File").endHostPath().endVolume()
                .endSpec().build();
        f.node.sync(pod);
        f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Running".equals(st.getPhase()));
        Path log = f.node.logs().latest(uid(pod), "reader").orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> f.logText(log).contains("done"));
        assertThat(f.logText(log)).contains("shared=hi", "conf=from the host", "data=ro", "memfs=tmpfs", "memkb=8192");
        Path volumes = f.options.volumesDir(uid(pod));
        assertThat(volumes.resolve("shared/msg")).hasContent("hi");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(hostDir.resolve("out")));
        assertThat(hostDir.resolve("out")).hasContent("from-container");

        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), Duration.ofSeconds(30));
        assertThat(volumes).as("emptyDirs go with the pod").doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(f.state.toString());
        assertThat(hostDir.resolve("out")).as("a hostPath is the host's: kept").exists();
        assertThat(hostFile).hasContent("from the host");
    }

    @Test
    void aHostPathOfTheWrongTypeFailsTheRunWithTheReason() throws Exception {
        Path missing = f.dir.resolve("not-there");
        Pod pod = new PodBuilder(pod("badhost", "Never",
                container("c", b -> b.addNewVolumeMount().withName("h").withMountPath("/h").endVolumeMount(), "true")))
                .editSpec().addNewVolume().withName("h").withNewHostPath().withPath(missing.toString()).withType("Directory")
                .endHostPath().endVolume().endSpec().build();
        f.node.sync(pod);
        PodStatus s = f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Failed".equals(st.getPhase()));
        ContainerStatus c = RecordingListener.container(s, "c");
        assertThat(c.getState().getTerminated().getReason()).isEqualTo("StartError");
        assertThat(c.getState().getTerminated().getMessage())
                .isEqualTo("volume \"h\": hostPath type check failed: " + missing + " does not exist (type Directory)");
        assertThat(missing).doesNotExist();
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), Duration.ofSeconds(30));
    }

    @Test
    void theVolumesOfAPodWithNoRecordAreRemovedOnResume() throws Exception {
        Pod pod = new PodBuilder(pod("orphan", "Always",
                container("c", b -> b.addNewVolumeMount().withName("m").withMountPath("/m").endVolumeMount(), "sleep", "600")))
                .editSpec().addNewVolume().withName("m").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                .endSpec().build();
        f.node.sync(pod);
        f.listener.await(uid(pod), Duration.ofSeconds(30), st -> "Running".equals(st.getPhase()));
        Path volumes = f.options.volumesDir(uid(pod));
        assertThat(PodVolumes.isMountPoint(volumes.resolve("m"))).isTrue();
        f.node.close();
        // As after a crash between a delete's record removal and its cleanup: nothing names the pod.
        Files.delete(f.options.recordsDir().resolve(uid(pod) + ".json"));
        f.newNode().resume(java.util.List.of());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(volumes));
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(volumes.toString());
    }
}
