package io.berth.orchestrator.kuberuntime;

import static io.berth.orchestrator.kuberuntime.NodeFixture.container;
import static io.berth.orchestrator.kuberuntime.NodeFixture.pod;
import static io.berth.orchestrator.kuberuntime.NodeFixture.uid;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.berth.orchestrator.monitor.Subreaper;
import io.berth.orchestrator.store.NodeRecords;
import io.berth.orchestrator.store.PodRecord;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.ProcessIdentity;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon dies (SIGKILL) or stops (SIGTERM) with pods running; a new node resumes over the same
 * state: every running container adopted (same pid, same start time), every exit that happened
 * meanwhile recorded with its real code and handled by the restart policy, nothing started twice,
 * nothing left untracked. The first node runs in a child JVM under berth-subreaper, as the daemon does.
 */
class KillAndResumeTest {
    private static final Duration T = Duration.ofSeconds(60);
    @RegisterExtension
    final NodeFixture f = new NodeFixture();
    private final List<Process> subreapers = new ArrayList<>();

    @AfterEach
    void stopSubreapers() throws Exception {
        // Killing the pods' cgroup (the fixture) lets a lingering subreaper exit; a stuck one is killed here.
        for (Process p : subreapers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** berth-subreaper running a NodePodRuntime in a new JVM over the fixture's state; returns that JVM. */
    private ProcessHandle startChildNode(List<Pod> pods) throws Exception {
        Path podsFile = f.dir.resolve("pods.json");
        Files.write(podsFile, JsonMapper.builder().build().writeValueAsBytes(new PodListBuilder().withItems(pods).build()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-cp", System.getProperty("java.class.path"), NodeChildMain.class.getName(),
                f.state.toString(), f.cgroupParent, podsFile.toString());
        Process p = new ProcessBuilder(Subreaper.command(f.options.binDir(), f.options.exitsDir(), jvm))
                .redirectErrorStream(true).redirectOutput(f.dir.resolve("child.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        subreapers.add(p);
        Awaitility.await().atMost(T).until(() -> p.children().findAny().isPresent() || !p.isAlive());
        return p.children().findFirst().orElseThrow(() -> new AssertionError("the child JVM did not start: " + childLog()));
    }

    private String childLog() {
        try {
            return Files.readString(f.dir.resolve("child.log"));
        } catch (java.io.IOException e) {
            return "(no child log: " + e + ")";
        }
    }

    private PodRecord record(Pod p) {
        return new NodeRecords(f.options.recordsDir()).load(uid(p));
    }

    private boolean running(Pod p, String... names) {
        PodRecord r = record(p);
        if (r == null) {
            return false;
        }
        for (String n : names) {
            PodRecord.ContainerEntry e = r.containers.get(n);
            if (e == null || e.current == null || e.current.state != PodRecord.InstanceState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    private static ProcessIdentity identity(PodRecord.Instance i) {
        return new ProcessIdentity(i.pid, i.pidStartTime);
    }

    /** Processes in a pod's cgroup whose command line contains {@code text}. */
    private long processesRunning(Pod p, String text) {
        return Cgroups.open(f.cgroupParent + "/pod" + uid(p)).pids().stream().filter(pid -> {
            try {
                return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').contains(text);
            } catch (Exception e) {
                return false;
            }
        }).count();
    }

    @Test
    void sigkilledDaemonResumedNothingDuplicatedNothingLost() throws Exception {
        Pod always = pod("always", "Always", container("steady", "sh", "-c", "exec sleep 600"),
                container("dies", "sh", "-c", "sleep 2; exit 7"));
        Pod never = pod("never", "Never", container("oneshot", "sh", "-c", "sleep 2; echo written while no daemon ran; exit 3"));
        ProcessHandle jvm = startChildNode(List.of(always, never));
        Awaitility.await().atMost(T).alias("child log").until(() -> running(always, "steady", "dies") && running(never, "oneshot"));
        PodRecord.Instance steady = record(always).containers.get("steady").current;
        PodRecord.Instance dies = record(always).containers.get("dies").current;
        PodRecord.Instance oneshot = record(never).containers.get("oneshot").current;
        int pausePid = record(always).sandbox.pid;

        // The daemon's monitors (one per run, and those made ahead for the next runs): under the
        // subreaper each detaches from the JVM at its start, so they are the subreaper's children, not the JVM's.
        List<String> monitors = subreapers.get(subreapers.size() - 1).children()
                .filter(h -> h.info().commandLine().orElse("").contains("berth-monitor"))
                .map(h -> h.pid() + "-").toList();
        assertThat(monitors).hasSizeGreaterThanOrEqualTo(3);
        java.time.Instant killed = java.time.Instant.now();
        jvm.destroyForcibly(); // SIGKILL
        Awaitility.await().atMost(T).until(() -> !jvm.isAlive());
        // With no daemon: the short-lived containers exit, the subreaper keeps their codes.
        Awaitility.await().atMost(T).until(() -> !identity(dies).isAlive() && !identity(oneshot).isAlive());
        assertThat(identity(steady).isAlive()).isTrue();
        assertThat(Files.readString(f.options.exitsDir().resolve(dies.pid + "-" + dies.pidStartTime))).isEqualTo("exit 7\n");

        NodePodRuntime resumed = f.newNode();
        resumed.resume(List.of(always, never));
        PodStatus a = f.listener.await(uid(always), T, st -> RecordingListener.container(st, "dies").getRestartCount() >= 1);
        ContainerStatus diesStatus = RecordingListener.container(a, "dies");
        var first = diesStatus.getLastState().getTerminated() != null ? diesStatus.getLastState().getTerminated()
                : diesStatus.getState().getTerminated();
        assertThat(first.getExitCode()).isEqualTo(7);
        assertThat(first.getContainerID()).isEqualTo("berth://" + dies.id);
        ContainerStatus steadyStatus = RecordingListener.container(a, "steady");
        assertThat(steadyStatus.getRestartCount()).isZero();
        assertThat(steadyStatus.getState().getRunning()).isNotNull();
        assertThat(steadyStatus.getContainerID()).isEqualTo("berth://" + steady.id);
        // Adopted, not restarted: the same process, and only one of it.
        assertThat(record(always).containers.get("steady").current.pid).isEqualTo(steady.pid);
        assertThat(identity(steady).isAlive()).isTrue();
        assertThat(processesRunning(always, "sleep 600")).isEqualTo(1);
        assertThat(record(always).sandbox.pid).isEqualTo(pausePid);

        PodStatus n = f.listener.await(uid(never), T, st -> "Failed".equals(st.getPhase()));
        var t = RecordingListener.container(n, "oneshot").getState().getTerminated();
        assertThat(t.getExitCode()).isEqualTo(3);
        assertThat(RecordingListener.container(n, "oneshot").getRestartCount()).isZero();
        // Its output, written with no daemon, was stamped by its monitor then and is served now.
        Path oneshotLog = resumed.logs().latest(uid(never), "oneshot").orElseThrow();
        assertThat(f.logText(oneshotLog)).isEqualTo("written while no daemon ran\n");
        String record = Files.readString(oneshotLog);
        assertThat(record).matches("\\S+ stdout F written while no daemon ran\n");
        assertThat(java.time.Instant.parse(record.substring(0, record.indexOf(' ')))).isAfter(killed);
        // The exits are in the records now; their files are gone.
        Awaitility.await().atMost(T).until(() -> !Files.exists(f.options.exitsDir().resolve(oneshot.pid + "-" + oneshot.pidStartTime)));

        // An adopted container's exit, while the new node runs, comes through the old subreaper's file.
        resumed.terminate(uid(always), Duration.ofSeconds(5));
        resumed.terminate(uid(never), Duration.ofSeconds(5));
        f.listener.awaitGone(uid(always), T);
        f.listener.awaitGone(uid(never), T);
        assertThat(identity(steady).isAlive()).isFalse();
        // Every monitor went with its pod; the old daemon's were reaped by the subreaper without an exit file.
        assertThat(io.berth.testkit.Monitors.processes(f.state)).isEmpty();
        assertThat(io.berth.testkit.Monitors.directories(f.state)).isEmpty();
        try (var exits = Files.list(f.options.exitsDir())) {
            assertThat(exits.map(e -> e.getFileName().toString())).noneMatch(e -> monitors.stream().anyMatch(e::startsWith));
        }
        // The subreaper had nothing left to wait for, and went.
        Process subreaper = subreapers.get(0);
        assertThat(subreaper.waitFor(20, TimeUnit.SECONDS)).as(childLog()).isTrue();
    }

    @Test
    void sigtermedDaemonLeavesItsPodsRunningAndTheNextOneAdoptsThem() throws Exception {
        Pod pod = pod("kept", "Always", container("c", "sh", "-c", "exec sleep 600"));
        ProcessHandle jvm = startChildNode(List.of(pod));
        Awaitility.await().atMost(T).until(() -> running(pod, "c"));
        PodRecord.Instance c = record(pod).containers.get("c").current;
        jvm.destroy(); // SIGTERM
        Awaitility.await().atMost(T).until(() -> !jvm.isAlive());
        Thread.sleep(500);
        assertThat(identity(c).isAlive()).isTrue();
        assertThat(processesRunning(pod, "sleep 600")).isEqualTo(1);

        NodePodRuntime resumed = f.newNode();
        resumed.resume(List.of(pod));
        PodStatus s = f.listener.await(uid(pod), T, st -> "Running".equals(st.getPhase()));
        assertThat(RecordingListener.container(s, "c").getRestartCount()).isZero();
        assertThat(record(pod).containers.get("c").current.pid).isEqualTo(c.pid);
        // The record of a container the daemon never knew is not invented; an orphan is removed:
        assertThat(Optional.ofNullable(record(pod).containers.get("c").previous)).isEmpty();
        resumed.terminate(uid(pod), Duration.ofSeconds(5));
        f.listener.awaitGone(uid(pod), T);
        assertThat(identity(c).isAlive()).isFalse();
    }
}
