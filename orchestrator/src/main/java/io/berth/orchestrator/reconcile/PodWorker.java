package io.berth.orchestrator.reconcile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.berth.image.rootfs.Rootfs;
import io.berth.orchestrator.images.ImageManager;
import io.berth.orchestrator.kuberuntime.ContainerSpecs;
import io.berth.orchestrator.monitor.ProcessWatch;
import io.berth.orchestrator.monitor.Sys;
import io.berth.orchestrator.sandbox.Sandbox;
import io.berth.orchestrator.status.PodStatuses;
import io.berth.orchestrator.store.PodRecord;
import io.berth.orchestrator.store.PodRecord.ContainerEntry;
import io.berth.orchestrator.store.PodRecord.Instance;
import io.berth.orchestrator.store.PodRecord.InstanceState;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerNotFoundException;
import io.berth.runtime.container.ContainerStatus;
import io.berth.runtime.container.OciState;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.Spec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * One pod's worker (the kubelet's pod_workers.go): every change to the pod - a sync from the API,
 * an exit, a backoff timer, a delete - is a task on this pod's own queue, run one at a time on a
 * shared pool, so the pod's state needs no locks and one slow pod never holds up another. The
 * reconcile step is kuberuntime's SyncPod: sandbox, init containers in order, then the containers,
 * each (re)started as the restart policy and the backoff allow.
 */
public final class PodWorker {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** How long a SIGKILLed container may take to be reaped before delete carries on regardless. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final NodeServices s;
    private final String uid;
    private final Runnable onGone;
    private Pod pod;
    private PodRecord rec;
    /** Running container processes by runtime id, and the sandbox's. */
    private final Map<String, ProcessWatch> live = new HashMap<>();
    private ProcessWatch sandbox;
    private final Map<String, PodStatuses.Waiting> waiting = new HashMap<>();
    private final Map<String, Instant> conditionTimes = new HashMap<>();
    private PodStatus lastPublished;
    private ScheduledFuture<?> wake;
    private Instant wakeAt;
    private boolean gone;
    private boolean terminating;

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    public PodWorker(NodeServices s, String uid, Pod pod, PodRecord rec, Runnable onGone) {
        this.s = s;
        this.uid = uid;
        this.pod = pod;
        this.rec = rec;
        this.onGone = onGone;
    }

    public String uid() {
        return uid;
    }

    // ---- the queue ------------------------------------------------------------------------------

    /** Runs {@code task} on this pod's worker, after the tasks already queued. */
    public void post(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        s.workers().execute(this::drain);
    }

    private void drain() {
        for (;;) {
            Runnable task;
            synchronized (queue) {
                task = queue.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
            }
            try {
                if (!gone) {
                    task.run();
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "pod " + uid + ": worker task failed", e);
            }
        }
    }

    /** A sync from the API: the newest spec, then reconcile. */
    public void update(Pod newPod) {
        post(() -> {
            pod = newPod;
            reconcile();
        });
    }

    // ---- reconcile (SyncPod) --------------------------------------------------------------------

    /** The periodic resync: the same reconcile an event would run. */
    public void resync() {
        reconcile();
    }

    void reconcile() {
        if (gone || terminating || pod == null) {
            return;
        }
        if (rec == null) {
            rec = new PodRecord();
            rec.uid = uid;
            rec.name = pod.getMetadata().getName();
            rec.namespace = ContainerSpecs.namespace(pod);
            rec.startTime = now().toString();
            save();
        }
        if (rec.terminating) {
            // A delete was under way when the daemon stopped: finish it.
            terminate(Duration.ZERO);
            return;
        }
        rotateLogs();
        if (!ensureSandbox()) {
            publish();
            return;
        }
        String policy = PodStatuses.restartPolicy(pod);
        boolean initsDone = true;
        List<io.fabric8.kubernetes.api.model.Container> inits = pod.getSpec().getInitContainers() == null ? List.of()
                : pod.getSpec().getInitContainers();
        for (io.fabric8.kubernetes.api.model.Container c : inits) {
            ContainerEntry e = entry(c.getName(), true);
            if (e.current != null && e.current.state == InstanceState.EXITED && Integer.valueOf(0).equals(e.current.exitCode)) {
                continue;
            }
            initsDone = false;
            if (isRunning(e)) {
                break;
            }
            if (e.current == null) {
                start(c, e, e.starting != null ? e.starting.attempt : 0);
            } else if (!"Never".equals(policy)) {
                // An init container that failed is retried under any policy but Never (kubelet).
                restart(c, e);
            }
            break;
        }
        if (initsDone) {
            for (io.fabric8.kubernetes.api.model.Container c : pod.getSpec().getContainers()) {
                ContainerEntry e = entry(c.getName(), false);
                if (isRunning(e)) {
                    continue;
                }
                if (e.current == null) {
                    start(c, e, e.starting != null ? e.starting.attempt : 0);
                } else if (shouldRestart(policy, e.current)) {
                    restart(c, e);
                }
            }
        }
        publish();
    }

    private static boolean shouldRestart(String policy, Instance last) {
        return switch (policy) {
            case "Never" -> false;
            case "OnFailure" -> !Integer.valueOf(0).equals(last.exitCode);
            default -> true;
        };
    }

    private boolean isRunning(ContainerEntry e) {
        return e.current != null && e.current.state == InstanceState.RUNNING;
    }

    private ContainerEntry entry(String name, boolean init) {
        return rec.containers.computeIfAbsent(name, n -> {
            ContainerEntry e = new ContainerEntry();
            e.name = n;
            e.init = init;
            return e;
        });
    }

    private String backoffKey(String name) {
        return uid + "/" + name;
    }

    /** The kubelet's doBackOff: restart now (and lengthen the next delay), or wait as CrashLoopBackOff. */
    private void restart(io.fabric8.kubernetes.api.model.Container c, ContainerEntry e) {
        String key = backoffKey(c.getName());
        Instant finished = e.current.finishedAt == null ? now() : Instant.parse(e.current.finishedAt);
        Instant now = now();
        if (s.restartBackoff().inBackOffSince(key, finished, now)) {
            Duration d = s.restartBackoff().current(key);
            String msg = "back-off " + RestartBackoff.goDuration(d) + " restarting failed container=" + c.getName() + " pod="
                    + podName();
            boolean first = waiting.get(c.getName()) == null || !"CrashLoopBackOff".equals(waiting.get(c.getName()).reason());
            waiting.put(c.getName(), new PodStatuses.Waiting("CrashLoopBackOff", msg));
            if (first) {
                event("Warning", "BackOff", "Back-off restarting failed container " + c.getName() + " in pod " + podName());
            }
            wakeAt(s.restartBackoff().retryAt(key, finished));
            return;
        }
        s.restartBackoff().next(key, finished);
        e.backoffMillis = s.restartBackoff().current(key).toMillis();
        e.backoffUpdated = s.restartBackoff().lastUpdate(key).toString();
        start(c, e, e.current.attempt + 1);
    }

    /** Makes and starts one run of {@code c}; a failure to create or start is that run's exit (StartError). */
    private void start(io.fabric8.kubernetes.api.model.Container c, ContainerEntry e, int attempt) {
        ImageManager.Result img = s.images().ensure(c.getImage(), c.getImagePullPolicy());
        if (!img.ready()) {
            PodStatuses.Waiting before = waiting.put(c.getName(), new PodStatuses.Waiting(img.reason(), img.message()));
            if (before == null || !before.reason().equals(img.reason())) {
                event("Warning", img.reason().equals("ImagePullBackOff") ? "BackOff" : "Failed", img.message());
            }
            if (img.retryAt() != null) {
                wakeAt(img.retryAt());
            }
            return;
        }
        if (img.pulled()) {
            event("Normal", "Pulled", "Successfully pulled image \"" + c.getImage() + "\"");
        }
        String id = uid + "_" + c.getName() + "_" + attempt;
        String cgroupsPath = podCgroup() + "/" + id;
        Instance inst = new Instance();
        inst.id = id;
        inst.attempt = attempt;
        inst.state = InstanceState.CREATING;
        inst.cgroupsPath = cgroupsPath;
        inst.image = c.getImage();
        inst.imageID = ImageManager.imageId(img.image());
        e.starting = inst;
        save();
        waiting.put(c.getName(), new PodStatuses.Waiting(e.init ? "PodInitializing" : "ContainerCreating", null));
        int logFd = -1;
        Container ct = null;
        try {
            removeRuntimeContainer(id); // left by a crash while creating this very run
            Rootfs rootfs = s.rootfs().create(id, c.getImage());
            Path log = s.logs().current(uid, c.getName(), attempt);
            Files.createDirectories(log.getParent());
            logFd = Sys.open(log.toString(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_APPEND, 0640);
            Spec spec = ContainerSpecs.forContainer(pod, c, img.image().config(), rootfs.path(), rec.sandbox.pid, cgroupsPath);
            ct = s.runtime().create(id, rootfs.path().getParent(), spec, new Stdio(Stdio.NULL, logFd, logFd));
            inst.pid = ct.pid();
            inst.pidStartTime = ct.record().pidStartTime();
            inst.oomBaseline = Cgroups.open(cgroupsPath).oomKillCount();
            inst.state = InstanceState.CREATED;
            save();
            event("Normal", "Created", "Created container " + c.getName());
            ProcessWatch w = s.monitor().watch(id, new ProcessIdentity(inst.pid, inst.pidStartTime), ct);
            live.put(id, w);
            s.runtime().start(id);
            inst.state = InstanceState.RUNNING;
            inst.startedAt = now().toString();
            if (e.current != null) {
                e.previous = e.current;
            }
            e.current = inst;
            e.starting = null;
            waiting.remove(c.getName());
            save();
            event("Normal", "Started", "Started container " + c.getName());
            w.exit().whenComplete((st, err) -> post(() -> onExit(c.getName(), id, st, err)));
            pruneLogs(c.getName());
        } catch (IOException | RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot start container " + c.getName() + ": " + ex.getMessage());
            ProcessWatch w = live.remove(id);
            removeRuntimeContainer(id);
            inst.state = InstanceState.EXITED;
            inst.exitCode = 128;
            inst.reason = "StartError";
            inst.message = ex.getMessage();
            inst.startedAt = now().toString();
            inst.finishedAt = inst.startedAt;
            if (e.current != null) {
                e.previous = e.current;
            }
            e.current = inst;
            e.starting = null;
            waiting.remove(c.getName());
            save();
            if (w != null) {
                s.monitor().files().remove(w.identity());
            }
            event("Warning", "Failed", "Error: " + ex.getMessage());
            // The restart policy decides about a run that could not start, as about any exit.
            post(this::reconcile);
        } finally {
            Sys.close(logFd);
        }
    }

    /** An exit, seen by the monitor: record it, clean its container up, let the restart policy act. */
    private void onExit(String name, String id, Optional<ExitStatus> status, Throwable err) {
        ProcessWatch w = live.remove(id);
        ContainerEntry e = rec == null ? null : rec.containers.get(name);
        if (e == null || e.current == null || !id.equals(e.current.id) || e.current.state == InstanceState.EXITED) {
            return;
        }
        Instance inst = e.current;
        boolean oom = false;
        try {
            oom = Cgroups.open(inst.cgroupsPath).oomKillCount() > inst.oomBaseline;
        } catch (RuntimeException ex) {
            // A cgroup already gone cannot have counted an OOM kill we could still report.
        }
        inst.state = InstanceState.EXITED;
        inst.finishedAt = now().toString();
        if (err != null || status == null || status.isEmpty()) {
            // Its parent was not ours and kept no exit file: the kubelet's answer for a container it lost.
            inst.exitCode = 137;
            inst.reason = "ContainerStatusUnknown";
            inst.message = "The container could not be located when the pod was terminated";
        } else {
            ExitStatus st = status.get();
            inst.exitCode = st.code();
            inst.signal = st.signalName();
            inst.reason = oom ? "OOMKilled" : st.code() == 0 ? "Completed" : "Error";
        }
        save();
        if (w != null) {
            s.monitor().files().remove(w.identity());
        }
        removeRuntimeContainer(id);
        reconcile();
    }

    // ---- the sandbox ----------------------------------------------------------------------------

    private String podCgroup() {
        return s.options().cgroupParent() + "/pod" + uid;
    }

    /** The pause container, made when missing; a dead one takes the pod's containers with it and is remade. */
    private boolean ensureSandbox() {
        if (sandbox != null && !sandbox.exit().isDone()) {
            return true;
        }
        if (rec.sandbox != null) {
            // The sandbox died (or was never adopted): its namespaces are gone, so are the containers' (kubelet: SandboxChanged).
            event("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
            killContainers(Duration.ZERO);
            removeRuntimeContainer(rec.sandbox.id);
            rec.sandbox = null;
            save();
        }
        try {
            Cgroups.open(podCgroup()).create();
            applyPodLimits();
            Path rootfs = Sandbox.prepareRootfs(s.options().sandboxRootfs());
            Map<String, String> ann = new LinkedHashMap<>();
            ann.put(ContainerSpecs.POD_UID, uid);
            ann.put(ContainerSpecs.POD_NAME, rec.name);
            ann.put(ContainerSpecs.POD_NAMESPACE, rec.namespace);
            String id = Sandbox.id(uid);
            removeRuntimeContainer(id);
            Container ct = Sandbox.start(s.runtime(), uid, rootfs, ContainerSpecs.hostname(pod), podCgroup() + "/" + id, ann);
            PodRecord.SandboxRecord sr = new PodRecord.SandboxRecord();
            sr.id = id;
            sr.pid = ct.pid();
            sr.pidStartTime = ct.record().pidStartTime();
            sr.cgroupsPath = podCgroup() + "/" + id;
            rec.sandbox = sr;
            save();
            sandbox = s.monitor().watch(id, new ProcessIdentity(sr.pid, sr.pidStartTime), ct);
            sandbox.exit().whenComplete((st, err) -> post(this::reconcile));
            waiting.remove("");
            return true;
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot create the sandbox: " + ex.getMessage());
            event("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + ex.getMessage());
            wakeAt(now().plus(s.options().restartBackoff().initial()));
            return false;
        }
    }

    /** Pod limits = the sum of its containers' (unset when any container has none: nothing to sum). */
    private void applyPodLimits() {
        long memory = 0;
        long quota = 0;
        boolean allMemory = true;
        boolean allCpu = true;
        for (io.fabric8.kubernetes.api.model.Container c : pod.getSpec().getContainers()) {
            Spec.Resources r = ContainerSpecs.resourcesOf(c);
            if (r.memory() == null || r.memory().limit() == null) {
                allMemory = false;
            } else {
                memory += r.memory().limit();
            }
            if (r.cpu() == null || r.cpu().quota() == null) {
                allCpu = false;
            } else {
                quota += r.cpu().quota();
            }
        }
        CgroupLimits.Builder b = CgroupLimits.builder();
        if (allMemory && memory > 0) {
            b.memoryLimit(memory);
        }
        if (allCpu && quota > 0) {
            b.cpuPeriod(100_000L).cpuQuota(quota);
        }
        Cgroups.open(podCgroup()).apply(b.build());
    }

    // ---- delete ---------------------------------------------------------------------------------

    /** SIGTERM, the grace period, SIGKILL; then everything of the pod is removed and podGone reported. */
    public void terminate(Duration grace) {
        if (gone) {
            return;
        }
        terminating = true;
        cancelWake();
        if (rec != null) {
            rec.terminating = true;
            save();
        }
        killContainers(grace);
        if (sandbox != null) {
            sandbox.signal(Signals.SIGKILL);
            await(sandbox.exit(), KILL_WAIT);
        }
        // Whatever the runtime still has of this pod, recorded or not (a crash mid-create).
        for (OciState st : s.runtime().list()) {
            if (st.id().startsWith(uid + "_")) {
                removeRuntimeContainer(st.id());
            }
        }
        if (rec != null) {
            for (ContainerEntry e : rec.containers.values()) {
                for (Instance i : new Instance[] {e.current, e.previous, e.starting}) {
                    if (i != null) {
                        removeRuntimeContainer(i.id);
                        s.monitor().files().remove(new ProcessIdentity(i.pid, i.pidStartTime));
                    }
                }
            }
        }
        try {
            Cgroups.open(podCgroup()).destroy();
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cgroup not removed: " + ex.getMessage());
        }
        deleteTree(s.logs().podDir(uid));
        s.records().remove(uid);
        s.restartBackoff().forget(uid + "/");
        gone = true;
        onGone.run();
        s.listener().podGone(uid);
    }

    /** SIGTERM to every running container, SIGKILL to what is left after {@code grace}; their exits are recorded. */
    private void killContainers(Duration grace) {
        Map<String, ProcessWatch> running = new LinkedHashMap<>(live);
        if (running.isEmpty()) {
            return;
        }
        for (Map.Entry<String, ProcessWatch> w : running.entrySet()) {
            String name = nameOf(w.getKey());
            if (!grace.isZero()) {
                event("Normal", "Killing", "Stopping container " + name);
                w.getValue().signal(Signals.SIGTERM);
            }
        }
        Instant deadline = Instant.now().plus(grace);
        for (ProcessWatch w : running.values()) {
            await(w.exit(), Duration.between(Instant.now(), deadline));
        }
        for (Map.Entry<String, ProcessWatch> w : running.entrySet()) {
            if (!w.getValue().exit().isDone()) {
                w.getValue().signal(Signals.SIGKILL);
                try {
                    Cgroups.open(podCgroup() + "/" + w.getKey()).killAll(Signals.SIGKILL);
                } catch (RuntimeException ex) {
                    // The process's own SIGKILL is what matters; the cgroup may be gone already.
                }
            }
        }
        for (Map.Entry<String, ProcessWatch> w : running.entrySet()) {
            Optional<ExitStatus> st = await(w.getValue().exit(), KILL_WAIT);
            onExitRecordOnly(w.getKey(), st);
        }
    }

    /** The exit of a container being stopped: recorded, no restart. */
    private void onExitRecordOnly(String id, Optional<ExitStatus> st) {
        ProcessWatch w = live.remove(id);
        ContainerEntry e = rec == null ? null : rec.containers.get(nameOf(id));
        if (e != null && e.current != null && id.equals(e.current.id) && e.current.state != InstanceState.EXITED) {
            e.current.state = InstanceState.EXITED;
            e.current.finishedAt = now().toString();
            e.current.exitCode = st == null || st.isEmpty() ? 137 : st.get().code();
            e.current.signal = st == null || st.isEmpty() ? null : st.get().signalName();
            e.current.reason = e.current.exitCode == 0 ? "Completed" : "Error";
            save();
        }
        if (w != null) {
            s.monitor().files().remove(w.identity());
        }
        removeRuntimeContainer(id);
    }

    private static String nameOf(String runtimeId) {
        String[] p = runtimeId.split("_");
        return p.length >= 2 ? p[1] : runtimeId;
    }

    private static <T> T await(CompletableFuture<T> f, Duration d) {
        try {
            return f.get(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    // ---- resume ---------------------------------------------------------------------------------

    /**
     * After a daemon restart, from the record alone: adopts what still runs (pid and start time both
     * match), records the exits that happened meanwhile (from the exit files), and repairs what a
     * crash left half done. Then reconciles (or finishes the delete) as usual.
     */
    public void recover() {
        if (rec == null) {
            return;
        }
        if (rec.sandbox != null) {
            ProcessIdentity id = new ProcessIdentity(rec.sandbox.pid, rec.sandbox.pidStartTime);
            if (id.isAlive()) {
                sandbox = s.monitor().watch(rec.sandbox.id, id, null);
                sandbox.exit().whenComplete((st, err) -> post(this::reconcile));
            }
        }
        for (ContainerEntry e : rec.containers.values()) {
            if (e.backoffUpdated != null) {
                s.restartBackoff().restore(backoffKey(e.name), Duration.ofMillis(e.backoffMillis), Instant.parse(e.backoffUpdated));
            }
            if (e.starting != null) {
                recoverStarting(e);
            }
            Instance cur = e.current;
            if (cur == null || cur.state == InstanceState.EXITED) {
                if (cur != null) {
                    removeRuntimeContainer(cur.id); // deleted halfway
                }
                continue;
            }
            ProcessIdentity id = new ProcessIdentity(cur.pid, cur.pidStartTime);
            if (id.isAlive()) {
                ProcessWatch w = s.monitor().watch(cur.id, id, null);
                live.put(cur.id, w);
                String name = e.name;
                w.exit().whenComplete((st, err) -> post(() -> onExit(name, cur.id, st, err)));
            } else {
                onExit(e.name, cur.id, s.monitor().files().read(id), null);
            }
        }
        save();
    }

    /** A run that was being created when the daemon stopped. */
    private void recoverStarting(ContainerEntry e) {
        Instance i = e.starting;
        ProcessIdentity id = new ProcessIdentity(i.pid, i.pidStartTime);
        ContainerStatus status = null;
        try {
            status = s.runtime().state(i.id).status();
        } catch (ContainerNotFoundException ex) {
            // Recorded but never created.
        }
        if (status == ContainerStatus.RUNNING && i.pid > 0 && id.isAlive()) {
            // Started, but the daemon died before it could say so: it runs, so it is the current run.
            i.state = InstanceState.RUNNING;
            i.startedAt = now().toString();
            if (e.current != null) {
                e.previous = e.current;
            }
            e.current = i;
            e.starting = null;
            return;
        }
        Optional<ExitStatus> exited = i.pid > 0 ? s.monitor().files().read(id) : Optional.empty();
        if (exited.isPresent()) {
            // It ran and finished while no daemon ran.
            i.state = InstanceState.RUNNING;
            if (e.current != null) {
                e.previous = e.current;
            }
            e.current = i;
            e.starting = null;
            return;
        }
        // Created but never started (at its gate), or half made: it never ran anything, so it is
        // removed and the same run made again by reconcile.
        removeRuntimeContainer(i.id);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Removes a runtime container and its root filesystem; nothing there is not an error. */
    private void removeRuntimeContainer(String id) {
        try {
            s.runtime().delete(id, true);
        } catch (ContainerNotFoundException e) {
            // Not (or no longer) there.
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot delete container " + id + ": " + e.getMessage());
        }
        try {
            s.rootfs().delete(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot delete the root filesystem of " + id + ": " + e.getMessage());
        }
    }

    /** Keeps the logs of the current and the previous run of a container (kubectl logs and --previous). */
    private void pruneLogs(String name) {
        List<Integer> all = s.logs().instances(uid, name);
        for (int i = 0; i + 2 < all.size(); i++) {
            for (Path p : s.logs().files(s.logs().current(uid, name, all.get(i)))) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove old log " + p + ": " + e.getMessage());
                }
            }
        }
    }

    private void rotateLogs() {
        for (ContainerEntry e : rec.containers.values()) {
            if (e.current != null && e.current.state == InstanceState.RUNNING) {
                io.berth.orchestrator.logs.PodLogs.rotateIfNeeded(s.logs().current(uid, e.name, e.current.attempt),
                        s.options().logMaxBytes(), s.options().logMaxFiles());
            }
        }
    }

    private void wakeAt(Instant at) {
        if (wake != null && !wake.isDone() && wakeAt != null && !wakeAt.isAfter(at)) {
            return; // an earlier wake-up will reconcile anyway
        }
        cancelWake();
        long delay = Math.max(0, Duration.between(now(), at).toMillis());
        wakeAt = at;
        wake = s.timers().schedule(() -> post(this::reconcile), delay, TimeUnit.MILLISECONDS);
    }

    private void cancelWake() {
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
    }

    private Instant now() {
        return s.options().clock().instant();
    }

    private String podName() {
        return rec.name + "_" + rec.namespace + "(" + uid + ")";
    }

    private void save() {
        if (rec != null && !gone) {
            s.records().save(rec);
        }
    }

    private void event(String type, String reason, String message) {
        try {
            s.listener().event(uid, type, reason, message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": event listener failed: " + e.getMessage());
        }
    }

    private void publish() {
        if (pod == null || rec == null || gone) {
            return;
        }
        PodStatus st = PodStatuses.build(pod, rec, new PodStatuses.Observed(waiting, Map.of(), Map.of(), conditionTimes,
                s.options().hostIP(), sandbox != null && !sandbox.exit().isDone(), now()));
        if (!st.equals(lastPublished)) {
            lastPublished = st;
            try {
                s.listener().statusChanged(uid, st);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": status listener failed: " + e.getMessage());
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + root + ": " + e.getMessage());
        }
    }

    /** Closing the node: abandon the watches (the processes run on; the next daemon adopts them). */
    public void abandon() {
        post(() -> {
            cancelWake();
            gone = true;
        });
    }

    List<String> liveIds() {
        return new ArrayList<>(live.keySet());
    }
}
