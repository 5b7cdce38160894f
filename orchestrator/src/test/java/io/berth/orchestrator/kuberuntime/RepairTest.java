package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.berth.orchestrator.store.NodeRecords;
import io.berth.orchestrator.store.PodRecord;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.container.RuntimeOptions;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.testkit.BusyboxRootfs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Records and the runtime disagree after a crash; resume repairs each case: recorded but not
 * created, created but not recorded, created but never started, deleted halfway.
 */
class RepairTest {
    private static final Duration T = Duration.ofSeconds(40);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();

    private NodeRecords records() {
        return new NodeRecords(f.options.recordsDir());
    }

    private ContainerRuntime runtime() {
        return new ContainerRuntime(new RuntimeOptions(f.options.runtimeRoot(), f.cgroupParent, false));
    }

    /** A container straight through core-runtime, as a daemon that died before recording it left one. */
    private Container createBehindTheNodesBack(ContainerRuntime rt, String podUid, String id) {
        Spec d = DefaultSpec.create();
        Spec.Process p = d.process();
        Spec.Process sleep = new Spec.Process(false, null, p.user(), List.of("sleep", "600"), null, p.env(), "/", p.capabilities(),
                p.rlimits(), p.noNewPrivileges(), null, null, null, null, null, null);
        Spec.Linux l = d.linux();
        Spec.Linux linux = new Spec.Linux(l.namespaces(), null, null, null, l.devices(), f.cgroupParent + "/pod" + podUid + "/" + id,
                l.resources(), null, null, null, l.maskedPaths(), l.readonlyPaths(), null, null, null);
        Spec spec = new Spec(d.ociVersion(), sleep, new Spec.Root(BusyboxRootfs.path().toString(), true), "x", null, d.mounts(), null,
                null, linux);
        return rt.create(id, f.dir, spec, Stdio.nullStdio());
    }

    /** The record a crash leaves of a pod whose one container "c" was being started (its first run). */
    private static PodRecord recordStarting(Pod pod, PodRecord.InstanceState state) {
        PodRecord r = new PodRecord();
        r.uid = uid(pod);
        r.name = pod.getMetadata().getName();
        r.namespace = "default";
        r.startTime = Instant.now().toString();
        PodRecord.ContainerEntry e = new PodRecord.ContainerEntry();
        e.name = "c";
        PodRecord.Instance i = new PodRecord.Instance();
        i.id = uid(pod) + "_c_0";
        i.state = state;
        e.starting = i;
        r.containers.put("c", e);
        return r;
    }

    private long sleepers(Pod p) {
        return Cgroups.open(f.cgroupParent + "/pod" + uid(p)).pids().stream().filter(pid -> {
            try {
                return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').startsWith("sleep 600");
            } catch (Exception e) {
                return false;
            }
        }).count();
    }

    @Test
    void recordedButNotCreatedIsCreatedOnceAndUnrecordedContainersAreRemoved() throws Exception {
        Pod pod = pod("recorded", "Always", container("c", "sleep", "600"));
        PodRecord r = recordStarting(pod, PodRecord.InstanceState.CREATING);
        records().save(r);
        // Created, not recorded: one of a recorded pod's, one of a pod nothing knows.
        ContainerRuntime rt = runtime();
        Container extra = createBehindTheNodesBack(rt, uid(pod), uid(pod) + "_c_7");
        rt.start(extra.id());
        Container stranger = createBehindTheNodesBack(rt, "nobody", "nobody_c_0");
        rt.start(stranger.id());
        ProcessIdentity extraId = new ProcessIdentity(extra.pid(), extra.record().pidStartTime());
        ProcessIdentity strangerId = new ProcessIdentity(stranger.pid(), stranger.record().pidStartTime());

        f.node.resume(List.of(pod));
        PodStatus s = f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        assertThat(RecordingListener.container(s, "c").getRestartCount()).isZero();
        assertThat(RecordingListener.container(s, "c").getContainerID()).isEqualTo("berth://" + uid(pod) + "_c_0");
        Awaitility.await().atMost(T).until(() -> !extraId.isAlive() && !strangerId.isAlive());
        assertThat(rt.list()).extracting(st -> st.id()).containsExactlyInAnyOrder(uid(pod) + "_c_0", uid(pod) + "_sandbox");
        Thread.sleep(500);
        assertThat(sleepers(pod)).isEqualTo(1);
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void createdButNeverStartedIsRemadeAndRunsOnce() throws Exception {
        Pod pod = pod("gate", "Always", container("c", "sleep", "600"));
        ContainerRuntime rt = runtime();
        Container atGate = createBehindTheNodesBack(rt, uid(pod), uid(pod) + "_c_0");
        ProcessIdentity gateId = new ProcessIdentity(atGate.pid(), atGate.record().pidStartTime());
        PodRecord r = recordStarting(pod, PodRecord.InstanceState.CREATED);
        PodRecord.Instance i = r.containers.get("c").starting;
        i.pid = atGate.pid();
        i.pidStartTime = atGate.record().pidStartTime();
        i.cgroupsPath = f.cgroupParent + "/pod" + uid(pod) + "/" + i.id;
        records().save(r);

        f.node.resume(List.of(pod));
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        assertThat(gateId.isAlive()).isFalse();
        PodRecord.Instance now = records().load(uid(pod)).containers.get("c").current;
        assertThat(now.attempt).isZero();
        assertThat(now.pid).isNotEqualTo(gateId.pid());
        Thread.sleep(500);
        assertThat(sleepers(pod)).isEqualTo(1);
        f.node.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
    }

    @Test
    void aDeleteInterruptedByACrashIsFinishedOnResume() throws Exception {
        Pod pod = pod("halfway", "Always", container("c", "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        f.node.close(); // the daemon stops; the pod runs on
        PodRecord r = records().load(uid(pod));
        ProcessIdentity c = new ProcessIdentity(r.containers.get("c").current.pid, r.containers.get("c").current.pidStartTime);
        assertThat(c.isAlive()).isTrue();
        r.terminating = true; // as terminate writes before its first kill
        records().save(r);

        NodePodRuntime resumed = f.newNode();
        resumed.resume(List.of(pod));
        f.listener.awaitGone(uid(pod), T);
        assertThat(c.isAlive()).isFalse();
        assertThat(f.podCgroupDir(pod)).doesNotExist();
        assertThat(records().load(uid(pod))).isNull();
        assertThat(runtime().list()).isEmpty();
    }

    @Test
    void aRecordedPodTheApiNoLongerHasIsRemoved() throws Exception {
        Pod pod = pod("forgotten", "Always", container("c", "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        f.node.close();
        NodePodRuntime resumed = f.newNode();
        resumed.resume(List.of());
        f.listener.awaitGone(uid(pod), T);
        assertThat(f.podCgroupDir(pod)).doesNotExist();
        assertThat(runtime().list()).isEmpty();
    }

    /**
     * The root filesystem made ahead for a running container's next run is no leftover: resume keeps
     * it and the restart runs on it (a marker written into it is seen from inside the new run), where
     * removing and making it again would be most of an adoption's cost.
     */
    @Test
    void theRootFilesystemMadeAheadForTheNextRunIsKeptByResumeAndUsedByTheRestart() throws Exception {
        Pod pod = pod("spare", "Always", container("c", "sleep", "600"));
        f.node.sync(pod);
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        Path spare = f.options.containersDir().resolve(uid(pod) + "_c_1");
        // Complete once image-store has written its kind (after the mount).
        Awaitility.await().atMost(T).until(() -> Files.exists(spare.resolve("rootfs-kind")));
        Files.writeString(spare.resolve("rootfs").resolve("spare-marker"), "made ahead\n");
        f.node.close();
        PodRecord.Instance first = records().load(uid(pod)).containers.get("c").current;

        NodePodRuntime resumed = f.newNode();
        resumed.resume(List.of(pod));
        f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        ProcessHandle.of(first.pid).orElseThrow().destroyForcibly();
        PodStatus s = f.listener.await(uid(pod), T, st -> RecordingListener.container(st, "c").getRestartCount() >= 1
                && RecordingListener.container(st, "c").getState().getRunning() != null);
        assertThat(RecordingListener.container(s, "c").getContainerID()).isEqualTo("berth://" + uid(pod) + "_c_1");
        PodRecord.Instance second = records().load(uid(pod)).containers.get("c").current;
        assertThat(Path.of("/proc/" + second.pid + "/root/spare-marker")).hasContent("made ahead");
        resumed.terminate(uid(pod), Duration.ofSeconds(1));
        f.listener.awaitGone(uid(pod), T);
        assertThat(spare).doesNotExist();
    }
}
