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
import io.berth.orchestrator.kuberuntime.PodVolumes;
import io.berth.orchestrator.monitor.AttachMonitors;
import io.berth.orchestrator.monitor.ProcessWatch;
import io.berth.orchestrator.sandbox.Sandbox;
import io.berth.orchestrator.status.PodStatuses;
import io.berth.orchestrator.store.PodRecord;
import io.berth.orchestrator.store.PodRecord.ContainerEntry;
import io.berth.orchestrator.store.PodRecord.Instance;
import io.berth.orchestrator.store.PodRecord.InstanceState;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ContainerNotFoundException;
import io.berth.runtime.container.ContainerStatus;
import io.berth.runtime.container.OciState;
import io.berth.runtime.container.ProcessIdentity;
import io.berth.runtime.linux.ExitStatus;
import io.berth.runtime.linux.Signals;
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
    /** The kubelet's FailedCreatePodSandBox message prefix. */
    private static final String SANDBOX_FAILED = "Failed to create pod sandbox: ";

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
    /** Record writes so far (to tell whether a step already wrote the record). */
    private long saveCount;
    private boolean terminating;

    private final List<CompletableFuture<Void>> cleanups = new ArrayList<>();
    /** Root filesystems made ahead for the next run of a container, by run id. */
    private final Map<String, Spare> spares = new HashMap<>();

    /** {@code rootfs} null: kept from before a daemon restart, opened only when its run is made. */
    private record Spare(String image, CompletableFuture<Rootfs> rootfs) {
    }
    /**
     * berth-monitors started ahead for the next run of a container, by run id, beside its spare
     * root (the spawn and its "ready" are then off the restart's path). One never used is closed:
     * its pipes' write ends close, it reads EOF and exits.
     */
    private final Map<String, CompletableFuture<AttachMonitors.Started>> monitorsAhead = new HashMap<>();
    /** Probe schedules by run id; results by container name (reset when a run starts). */
    private final Map<String, List<ScheduledFuture<?>>> probes = new HashMap<>();
    private final Map<String, int[]> probeCounts = new HashMap<>();
    private final Map<String, Boolean> ready = new HashMap<>();
    private final Map<String, Boolean> started = new HashMap<>();
    /** Runs killed because the pod's update changed their image: restarted whatever the policy. */
    private final java.util.Set<String> changedImage = new java.util.HashSet<>();
    /**
     * While a reconcile runs: the events it raised, written once its status is out (publish) or it
     * ends. Each event is a transaction in the API's database (~3-5 ms each at load), and a pod's
     * Running status waited behind Created and Started (docs/benchmarks.md). The worker's thread only.
     */
    private List<String[]> deferredEvents;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;
    /** Tasks queue up but do not run until {@link #release()} (resume admits a few pods at a time). */
    private boolean held;

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
            if (draining || held) {
                return;
            }
            draining = true;
        }
        s.workers().execute(this::drain);
    }

    /** Runs {@code task} on this pod's worker after the tasks already queued, even once the pod is gone. */
    public void postAlways(Runnable task) {
        post(new Always(task));
    }

    private record Always(Runnable task) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /** From now on tasks only queue up, until {@link #release()}. Call before the first post. */
    public void hold() {
        synchronized (queue) {
            held = true;
        }
    }

    /** Runs the tasks queued while held, and every later one as usual. */
    public void release() {
        synchronized (queue) {
            held = false;
            if (draining || queue.isEmpty()) {
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
                if (!gone || task instanceof Always) {
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
        if (deferredEvents != null) {
            reconcileNow();
            return;
        }
        deferredEvents = new ArrayList<>();
        try {
            reconcileNow();
        } finally {
            flushEvents();
            deferredEvents = null;
        }
    }

    private void reconcileNow() {
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
        if (terminal()) {
            // Succeeded or Failed: nothing will run again, so the sandbox goes (the kubelet does the same).
            stopSandbox();
            publish();
            return;
        }
        if (sandbox == null || sandbox.exit().isDone()) {
            prepareFirstRoots();
        }
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
                    if (!c.getImage().equals(e.current.image)) {
                        killForImageChange(c, e.current);
                    }
                    continue;
                }
                if (e.current == null) {
                    start(c, e, e.starting != null ? e.starting.attempt : 0);
                } else if (changedImage.remove(e.current.id) || shouldRestart(policy, e.current)) {
                    restart(c, e);
                }
            }
        }
        publish();
    }

    /**
     * A pod update changed a running container's image (the one field of a pod's container that may
     * change): the kubelet kills it and starts it again with the new image, whatever the restart policy.
     */
    private void killForImageChange(io.fabric8.kubernetes.api.model.Container c, Instance run) {
        ProcessWatch w = live.get(run.id);
        if (w == null || !changedImage.add(run.id)) {
            return;
        }
        stopProbes(run.id);
        event("Normal", "Killing", "Container " + c.getName() + " definition changed, will be restarted");
        long grace = pod.getSpec().getTerminationGracePeriodSeconds() != null ? pod.getSpec().getTerminationGracePeriodSeconds() : 30L;
        w.signal(grace == 0 ? Signals.SIGKILL : Signals.SIGTERM);
        if (grace > 0) {
            s.timers().schedule(() -> w.signal(Signals.SIGKILL), grace, TimeUnit.SECONDS);
        }
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
        long t = System.nanoTime();
        ImageManager.Result img = s.images().ensure(c.getImage(), c.getImagePullPolicy());
        if (!img.ready()) {
            PodStatuses.Waiting before = waiting.put(c.getName(), new PodStatuses.Waiting(img.reason(), img.message()));
            if (before == null || !before.reason().equals(img.reason())) {
                event("Warning", img.reason().equals("ImagePullBackOff") ? "BackOff" : "Failed", img.message());
            }
            if ("ErrImagePull".equals(img.reason())) {
                // As the kubelet's next sync does: the pod now waits as ImagePullBackOff until the retry.
                post(this::reconcile);
            } else if (img.retryAt() != null) {
                wakeAt(img.retryAt());
            }
            return;
        }
        t = step(attempt, "image", t);
        if (img.pulled()) {
            event("Normal", "Pulled", "Successfully pulled image \"" + c.getImage() + "\"");
        }
        String id = uid + "_" + c.getName() + "_" + attempt;
        String cgroupsPath = s.options().containerCgroup(uid, id);
        Instance inst = new Instance();
        inst.id = id;
        inst.attempt = attempt;
        inst.state = InstanceState.CREATING;
        inst.cgroupsPath = cgroupsPath;
        inst.image = c.getImage();
        inst.imageID = ImageManager.imageId(img.image());
        // Not written yet: a crash before the CREATED write leaves a runtime container its record does
        // not name, which resume removes (removeUnrecorded); the run is then made again. One record
        // write less between an exit and its restart.
        e.starting = inst;
        waiting.put(c.getName(), new PodStatuses.Waiting(e.init ? "PodInitializing" : "ContainerCreating", null));
        Container ct = null;
        boolean created = false;
        AttachMonitors.Started monitor = null;
        try {
            Rootfs rootfs = takeSpare(id, c.getImage());
            if (rootfs == null) {
                dropMonitorAhead(id); // made with the spare, which is not used: the run is made afresh
                if (Files.exists(s.options().runtimeRoot().resolve(id)) || Files.exists(s.options().containersDir().resolve(id))) {
                    removeRuntimeContainer(id); // left by a crash while creating this very run
                }
                rootfs = s.rootfs().create(id, c.getImage());
            }
            t = step(attempt, "rootfs", t);
            Path log = s.logs().current(uid, c.getName(), attempt);
            Files.createDirectories(log.getParent());
            if (!Files.exists(log)) {
                // The run's log exists from its creation (the monitor, maybe made ahead, opens it at its first output).
                Files.createFile(log);
            }
            Map<String, Path> volumes = PodVolumes.prepare(pod, s.options().volumesDir(uid));
            Spec spec = ContainerSpecs.forContainer(pod, c, img.image().config(), rootfs.path(), rec.sandbox.pid, cgroupsPath, volumes,
                    s.network().podFiles(uid));
            // berth-monitor holds the output pipes (or the terminal) and stdin, and writes the log, daemon or not.
            monitor = takeMonitor(id);
            if (monitor == null) {
                monitor = startMonitor(c, id, log);
            }
            t = step(attempt, "monitor", t);
            try (AttachMonitors.Started m = monitor) {
                ct = s.runtime().create(id, rootfs.path().getParent(), spec, m.stdio(), m.consoleSocket());
            }
            t = step(attempt, "create", t);
            inst.pid = ct.pid();
            inst.pidStartTime = ct.record().pidStartTime();
            inst.oomBaseline = s.cgroup(cgroupsPath).oomKillCount();
            inst.state = InstanceState.CREATED;
            save();
            ProcessWatch w = s.monitor().watch(id, new ProcessIdentity(inst.pid, inst.pidStartTime), ct);
            live.put(id, w);
            created = true;
            s.runtime().start(id);
            step(attempt, "start", t);
            // The events after start: each is a write through the listener (the API's database),
            // which the process should not wait for.
            event("Normal", "Created", "Created container " + c.getName());
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
            startProbes(c.getName(), id);
            pruneLogs(c.getName());
            if (!e.init && !"Never".equals(PodStatuses.restartPolicy(pod))) {
                prepareSpare(uid + "_" + c.getName() + "_" + (attempt + 1), c.getImage());
                prepareMonitor(c, attempt + 1);
            }
        } catch (IOException | RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot start container " + c.getName() + ": " + ex.getMessage());
            if (monitor != null) {
                monitor.close(); // not created: the monitor reads EOF and exits; removeRuntimeContainer removes its directory
            }
            if (created && e.starting == inst) {
                event("Normal", "Created", "Created container " + c.getName()); // it was, before start failed
            }
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
        }
    }

    /**
     * Reports the start-up step that began at {@code since} (nanoTime) when this is a container's
     * first run (its later runs are restarts, not the pod's start-up); returns now, the next step's start.
     */
    private long step(int attempt, String step, long since) {
        long now = System.nanoTime();
        if (attempt == 0) {
            s.listener().startupStep(uid, step, Duration.ofNanos(now - since));
        }
        return now;
    }

    /** An exit, seen by the monitor: record it, clean its container up, let the restart policy act. */
    private void onExit(String name, String id, Optional<ExitStatus> status, Throwable err) {
        ProcessWatch w = live.remove(id);
        stopProbes(id);
        ContainerEntry e = rec == null ? null : rec.containers.get(name);
        if (e == null || e.current == null || !id.equals(e.current.id) || e.current.state == InstanceState.EXITED) {
            return;
        }
        Instance inst = e.current;
        boolean oom = false;
        try {
            oom = s.cgroup(inst.cgroupsPath).oomKillCount() > inst.oomBaseline;
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
        // The exit reaches the record with the next run's CREATING write when the policy restarts at
        // once (one record write less between an exit and its restart), else here. Until then the
        // exit file keeps it.
        long writes = saveCount;
        reconcile();
        if (saveCount == writes) {
            save();
        }
        // In the record now: the file (ours, or the subreaper's while no daemon ran) has served.
        s.monitor().files().remove(new ProcessIdentity(inst.pid, inst.pidStartTime));
        // Restart first, clean up after: the dead run's cgroup, state and root filesystem are not in
        // the way of the next run (their ids differ), and removing them is most of an exit's work.
        cleanUpLater(id);
    }

    // ---- the sandbox ----------------------------------------------------------------------------

    private String podCgroup() {
        return s.options().podCgroup(uid);
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
            s.monitor().files().remove(new ProcessIdentity(rec.sandbox.pid, rec.sandbox.pidStartTime));
            rec.sandbox = null;
            save();
        }
        String backoffKey = uid + "/ sandbox"; // a space: no container's key can be this
        Instant lastFailure = s.restartBackoff().lastUpdate(backoffKey);
        if (lastFailure != null && s.restartBackoff().inBackOffSince(backoffKey, lastFailure, now())) {
            wakeAt(s.restartBackoff().retryAt(backoffKey, lastFailure));
            return false;
        }
        long t = System.nanoTime();
        try {
            s.cgroup(podCgroup()).create();
            applyPodLimits();
            Path rootfs = Sandbox.prepareRootfs(s.options().sandboxRootfs());
            Map<String, String> ann = new LinkedHashMap<>();
            ann.put(ContainerSpecs.POD_UID, uid);
            ann.put(ContainerSpecs.POD_NAME, rec.name);
            ann.put(ContainerSpecs.POD_NAMESPACE, rec.namespace);
            String id = Sandbox.id(uid);
            removeRuntimeContainer(id);
            Container ct = Sandbox.start(s.runtime(), uid, rootfs, ContainerSpecs.hostname(pod), s.options().containerCgroup(uid, id), ann);
            io.berth.orchestrator.network.PodNetwork.Attached net;
            try {
                net = s.network().setUp(pod, ContainerSpecs.hostname(pod), id, ct.pid(), ct.record().pidStartTime());
            } catch (RuntimeException ex) {
                removeRuntimeContainer(id); // nothing half-made: the pause goes, and its namespace with it
                throw ex;
            }
            PodRecord.SandboxRecord sr = new PodRecord.SandboxRecord();
            sr.ips = net.ips();
            sr.id = id;
            sr.pid = ct.pid();
            sr.pidStartTime = ct.record().pidStartTime();
            sr.cgroupsPath = s.options().containerCgroup(uid, id);
            rec.sandbox = sr;
            save();
            sandbox = s.monitor().watch(id, new ProcessIdentity(sr.pid, sr.pidStartTime), ct);
            sandbox.exit().whenComplete((st, err) -> post(this::reconcile));
            waiting.remove("");
            waiting.values().removeIf(w -> w.message() != null && w.message().startsWith(SANDBOX_FAILED));
            s.restartBackoff().forget(backoffKey);
            s.listener().startupStep(uid, "sandbox", Duration.ofNanos(System.nanoTime() - t));
            return true;
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot create the sandbox: " + ex.getMessage());
            String msg = SANDBOX_FAILED + ex.getMessage();
            event("Warning", "FailedCreatePodSandBox", msg);
            // As the kubelet shows it: the containers wait as ContainerCreating (PodInitializing for init
            // containers), the reason in the message; retried with the restart backoff's delays.
            for (io.fabric8.kubernetes.api.model.Container c : pod.getSpec().getContainers()) {
                waiting.put(c.getName(), new PodStatuses.Waiting("ContainerCreating", msg));
            }
            if (pod.getSpec().getInitContainers() != null) {
                pod.getSpec().getInitContainers().forEach(c -> waiting.put(c.getName(), new PodStatuses.Waiting("PodInitializing", msg)));
            }
            s.restartBackoff().next(backoffKey, now());
            wakeAt(s.restartBackoff().retryAt(backoffKey, now()));
            return false;
        }
    }

    private boolean terminal() {
        if (!changedImage.isEmpty()) {
            return false; // a run killed for a new image is started again, whatever its exit says
        }
        String phase = PodStatuses.build(pod, rec, observed()).getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private void stopSandbox() {
        if (rec.sandbox == null) {
            return;
        }
        detachNetwork();
        if (sandbox != null) {
            sandbox.signal(Signals.SIGKILL);
            await(sandbox.exit(), KILL_WAIT);
            sandbox = null;
        }
        removeRuntimeContainer(rec.sandbox.id);
        s.monitor().files().remove(new ProcessIdentity(rec.sandbox.pid, rec.sandbox.pidStartTime));
        rec.lastPodIPs = rec.sandbox.ips; // a finished pod still reports where it ran, as the kubelet's does
        rec.sandbox = null;
        save();
    }

    /** DEL for the pod's sandbox; a failure is logged and left for the next delete or start to retry. */
    private void detachNetwork() {
        try {
            s.network().detach(Sandbox.id(uid));
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot detach the sandbox from the network: " + ex.getMessage());
            event("Warning", "FailedKillPod", "error killing pod: failed to destroy network for sandbox: " + ex.getMessage());
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
        s.cgroup(podCgroup()).apply(b.build());
    }

    // ---- delete ---------------------------------------------------------------------------------

    /** SIGTERM, the grace period, SIGKILL; then everything of the pod is removed and podGone reported. */
    public void terminate(Duration grace) {
        if (gone) {
            return;
        }
        terminating = true;
        cancelWake();
        for (String id : new ArrayList<>(probes.keySet())) {
            stopProbes(id);
        }
        if (rec != null) {
            rec.terminating = true;
            save();
        }
        killContainers(grace);
        awaitCleanups();
        for (Spare sp : spares.values()) {
            if (sp.rootfs() != null) {
                await(sp.rootfs(), KILL_WAIT);
            }
        }
        spares.clear();
        for (String id : new ArrayList<>(monitorsAhead.keySet())) {
            dropMonitorAhead(id); // stopAll below removes their directories
        }
        // Before the sandbox dies, as the kubelet's StopPodSandbox: DEL while its namespace is there.
        try {
            s.network().tearDown(uid, Sandbox.id(uid));
        } catch (RuntimeException ex) {
            // Its attachment stays cached: the next daemon start retries the DEL (no record names the pod then).
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": network not torn down: " + ex.getMessage());
        }
        if (sandbox != null) {
            sandbox.signal(Signals.SIGKILL);
            await(sandbox.exit(), KILL_WAIT);
        }
        if (rec != null && rec.sandbox != null) {
            s.monitor().files().remove(new ProcessIdentity(rec.sandbox.pid, rec.sandbox.pidStartTime));
        }
        // Whatever the runtime and the image store still have of this pod, recorded or not (a crash
        // mid-create, spare root filesystems made ahead).
        for (String id : s.containerIds()) {
            if (id.startsWith(uid + "_")) {
                removeRuntimeContainer(id);
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
        s.attach().stopAll(uid + "_");
        try {
            s.cgroup(podCgroup()).destroy();
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cgroup not removed: " + ex.getMessage());
        }
        try {
            // After every container is gone: nothing runs on the memory emptyDirs any more.
            PodVolumes.remove(s.options().volumesDir(uid));
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": volumes not removed: " + ex.getMessage());
        }
        deleteTree(s.logs().podDir(uid));
        s.records().remove(uid);
        s.restartBackoff().forget(uid + "/");
        gone = true;
        onGone.run();
        flushEvents(); // the pod's last events before it is gone
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
                    s.cgroup(s.options().containerCgroup(uid, w.getKey())).killAll(Signals.SIGKILL);
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
     *
     * @param found the ids of this pod's runtime containers and root filesystems
     *              ({@link NodeServices#containerIds()} that start with its uid and '_'), listed once
     *              for every pod by the caller; null to list them here
     */
    public void recover(java.util.Set<String> found) {
        if (rec == null) {
            return;
        }
        if (pod != null && pod.getStatus() != null) {
            lastPublished = pod.getStatus(); // what the API has: the same status is not reported again
        }
        if (pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            // The conditions' transition times as the API last reported them: a daemon restart is
            // no transition (and the first status after it is then the one the API already has).
            for (io.fabric8.kubernetes.api.model.PodCondition c : pod.getStatus().getConditions()) {
                if (c.getLastTransitionTime() != null) {
                    try {
                        conditionTimes.put(c.getType() + "=" + c.getStatus(), Instant.parse(c.getLastTransitionTime()));
                    } catch (java.time.format.DateTimeParseException ex) {
                        // not one of ours: the next transition sets it
                    }
                }
            }
        }
        if (found == null) {
            found = new java.util.TreeSet<>();
            for (String id : s.containerIds()) {
                if (id.startsWith(uid + "_")) {
                    found.add(id);
                }
            }
        }
        if (rec.sandbox != null) {
            ProcessIdentity id = new ProcessIdentity(rec.sandbox.pid, rec.sandbox.pidStartTime);
            if (id.isAlive()) {
                sandbox = s.monitor().watch(rec.sandbox.id, id, null);
                sandbox.exit().whenComplete((st, err) -> post(this::reconcile));
            }
        }
        removeUnrecorded(found);
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
                if (pod != null) {
                    // Now, before the first status goes out: ready as the probes say, not false
                    // for a moment after every restart of the daemon.
                    startProbes(name, cur.id);
                } else {
                    post(() -> startProbes(name, cur.id));
                }
            } else {
                onExit(e.name, cur.id, s.monitor().files().read(id), null);
            }
        }
        save();
    }

    /**
     * Runtime containers and root filesystems of this pod that its record does not name: made by a
     * daemon that died before it could write their names (they never ran anything of the user's,
     * since a run is recorded as CREATED before it is started). Except a spare: the root filesystem
     * made ahead for the next run of a running container ({@link #prepareSpare}), which is kept
     * for that run as it would have been (unmounting and making it again costs more than anything
     * else an adoption does).
     */
    private void removeUnrecorded(java.util.Set<String> found) {
        java.util.Set<String> named = new java.util.HashSet<>();
        if (rec.sandbox != null) {
            named.add(rec.sandbox.id);
        }
        Map<String, String> spareImages = new HashMap<>();
        for (ContainerEntry e : rec.containers.values()) {
            for (Instance i : new Instance[] {e.current, e.starting}) {
                if (i != null) {
                    named.add(i.id);
                }
            }
            if (!e.init && e.starting == null && e.current != null && e.current.state == InstanceState.RUNNING) {
                spareImages.put(uid + "_" + e.name + "_" + (e.current.attempt + 1), e.current.image);
            }
        }
        for (String id : found) {
            if (named.contains(id)) {
                continue;
            }
            String image = spareImages.get(id);
            if (image != null && !Files.exists(s.options().runtimeRoot().resolve(id)) && keepSpare(id, image)) {
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "pod " + uid + ": removing container " + id + ", which its record does not name");
            removeRuntimeContainer(id);
        }
    }

    /**
     * A spare root filesystem found at resume, taken back if image-store finished making it (its kind
     * is written last), else removed. It is opened (and mounted again after a reboot) only when its
     * run is made: opening reads the mount table, which is long with hundreds of pods.
     */
    private boolean keepSpare(String id, String image) {
        try {
            if (s.rootfs().kind(id).isPresent()) {
                spares.put(id, new Spare(image, null));
                return true;
            }
            LOG.log(System.Logger.Level.INFO, "pod " + uid + ": spare root filesystem " + id + " was not finished");
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "pod " + uid + ": spare root filesystem " + id + " not reusable: " + e.getMessage());
        }
        return false;
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

    // ---- probes (the kubelet's prober) -------------------------------------------------------------

    private enum ProbeType {
        STARTUP("Startup"), LIVENESS("Liveness"), READINESS("Readiness");

        final String label;

        ProbeType(String label) {
            this.label = label;
        }
    }

    private io.fabric8.kubernetes.api.model.Container specOf(String name) {
        if (pod == null) {
            return null;
        }
        for (io.fabric8.kubernetes.api.model.Container c : pod.getSpec().getContainers()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static io.fabric8.kubernetes.api.model.Probe probeOf(io.fabric8.kubernetes.api.model.Container c, ProbeType t) {
        return switch (t) {
            case STARTUP -> c.getStartupProbe();
            case LIVENESS -> c.getLivenessProbe();
            case READINESS -> c.getReadinessProbe();
        };
    }

    /**
     * One schedule per probe of the run: the first after initialDelaySeconds, then every
     * periodSeconds; a probe still running when the next is due is not started twice. Until a
     * startup probe succeeds the others do not count; a container with a readiness probe starts
     * unready.
     */
    private void startProbes(String name, String id) {
        io.fabric8.kubernetes.api.model.Container c = specOf(name);
        if (c == null || !live.containsKey(id) || rec.sandbox == null) {
            return;
        }
        started.put(name, c.getStartupProbe() == null);
        ready.put(name, c.getReadinessProbe() == null);
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        for (ProbeType t : ProbeType.values()) {
            io.fabric8.kubernetes.api.model.Probe p = probeOf(c, t);
            if (p == null) {
                continue;
            }
            long delay = Math.max(0, p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds()) * 1000L;
            long period = Math.max(1, p.getPeriodSeconds() == null ? 10 : p.getPeriodSeconds()) * 1000L;
            java.util.concurrent.atomic.AtomicBoolean inFlight = new java.util.concurrent.atomic.AtomicBoolean();
            int port = namedPort(c, p);
            String netns = Sandbox.namespacePath(rec.sandbox.pid, "net");
            if (s.timers().isShutdown()) {
                return;
            }
            futures.add(s.timers().scheduleAtFixedRate(() -> {
                if (!inFlight.compareAndSet(false, true)) {
                    return;
                }
                if (s.workers().isShutdown()) {
                    return;
                }
                s.workers().execute(() -> {
                    try {
                        io.berth.orchestrator.probe.ProbeResult r = s.prober().run(p, id, netns, port);
                        post(() -> onProbe(name, id, t, p, r));
                    } finally {
                        inFlight.set(false);
                    }
                });
            }, delay, period, TimeUnit.MILLISECONDS));
        }
        probes.put(id, futures);
        publish();
    }

    private static int namedPort(io.fabric8.kubernetes.api.model.Container c, io.fabric8.kubernetes.api.model.Probe p) {
        io.fabric8.kubernetes.api.model.IntOrString port = p.getHttpGet() != null ? p.getHttpGet().getPort()
                : p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
        if (port == null || port.getStrVal() == null || c.getPorts() == null) {
            return -1;
        }
        for (io.fabric8.kubernetes.api.model.ContainerPort cp : c.getPorts()) {
            if (port.getStrVal().equals(cp.getName())) {
                return cp.getContainerPort();
            }
        }
        return -1;
    }

    private void stopProbes(String id) {
        List<ScheduledFuture<?>> f = probes.remove(id);
        if (f != null) {
            f.forEach(x -> x.cancel(false));
        }
        probeCounts.keySet().removeIf(k -> k.startsWith(id + "/"));
    }

    private void onProbe(String name, String id, ProbeType t, io.fabric8.kubernetes.api.model.Probe p,
            io.berth.orchestrator.probe.ProbeResult r) {
        if (!probes.containsKey(id) || terminating) {
            return; // the run has ended (or is being killed) since the probe started
        }
        if (t != ProbeType.STARTUP && !started.getOrDefault(name, true)) {
            return;
        }
        if (t == ProbeType.STARTUP && started.getOrDefault(name, true)) {
            return; // it has succeeded once: the kubelet stops counting it
        }
        int[] n = probeCounts.computeIfAbsent(id + "/" + t, k -> new int[2]);
        int successThreshold = p.getSuccessThreshold() == null || p.getSuccessThreshold() < 1 ? 1 : p.getSuccessThreshold();
        int failureThreshold = p.getFailureThreshold() == null || p.getFailureThreshold() < 1 ? 3 : p.getFailureThreshold();
        if (r.success()) {
            n[0]++;
            n[1] = 0;
        } else {
            n[1]++;
            n[0] = 0;
            event("Warning", "Unhealthy", t.label + " probe failed: " + r.output());
        }
        switch (t) {
            case STARTUP -> {
                if (r.success()) {
                    started.put(name, true);
                    // The startup probe has done its work; the others now count.
                } else if (n[1] >= failureThreshold) {
                    killForProbe(name, id, p, "failed startup probe");
                }
            }
            case READINESS -> {
                if (r.success() && n[0] >= successThreshold) {
                    ready.put(name, true);
                } else if (!r.success() && n[1] >= failureThreshold) {
                    ready.put(name, false);
                }
            }
            case LIVENESS -> {
                if (!r.success() && n[1] >= failureThreshold) {
                    killForProbe(name, id, p, "failed liveness probe");
                }
            }
        }
        publish();
    }

    /** The kubelet's kill for a failed liveness or startup probe: SIGTERM, the grace period, SIGKILL; the exit restarts it per policy. */
    private void killForProbe(String name, String id, io.fabric8.kubernetes.api.model.Probe p, String why) {
        ProcessWatch w = live.get(id);
        stopProbes(id);
        if (w == null) {
            return;
        }
        event("Normal", "Killing", "Container " + name + " " + why + ", will be restarted");
        Long grace = p.getTerminationGracePeriodSeconds() != null ? p.getTerminationGracePeriodSeconds()
                : pod.getSpec().getTerminationGracePeriodSeconds() != null ? pod.getSpec().getTerminationGracePeriodSeconds() : 30L;
        w.signal(grace == 0 ? Signals.SIGKILL : Signals.SIGTERM);
        if (grace > 0) {
            s.timers().schedule(() -> w.signal(Signals.SIGKILL), grace, TimeUnit.SECONDS);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * Makes the next run's root filesystem now, off the pod's queue, while this run is running: an
     * overlay mount costs 2-60 ms here, and a restart should not wait for it. Never used by anything
     * until that run is created; removed with the pod (or at resume, as a directory no record names).
     */
    private void prepareSpare(String nextId, String image) {
        try {
            CompletableFuture<Rootfs> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.rootfs().create(nextId, image);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }, s.workers());
            spares.put(nextId, new Spare(image, f));
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            // closing
        }
    }

    /**
     * A pod's first start: each container's first overlay root is mounted on the pool while this
     * worker makes the sandbox (2-10 ms of a pod's start, measured in docs/benchmarks.md). Not with
     * pull policy Always, whose pull may change what the name means; a root that cannot be made
     * (image not there yet) is made again by start, after the pull.
     */
    private void prepareFirstRoots() {
        for (io.fabric8.kubernetes.api.model.Container c : pod.getSpec().getContainers()) {
            ContainerEntry e = rec.containers.get(c.getName());
            String id = uid + "_" + c.getName() + "_0";
            if ((e == null || (e.current == null && e.starting == null)) && !spares.containsKey(id)
                    && !"Always".equals(ImageManager.effectivePolicy(c.getImage(), c.getImagePullPolicy()))
                    && !Files.exists(s.options().containersDir().resolve(id))) {
                prepareSpare(id, c.getImage());
                prepareMonitor(c, 0);
            }
        }
    }

    /** The spare root filesystem made for run {@code id}, if it is ready and of the same image; null otherwise. */
    private Rootfs takeSpare(String id, String image) {
        Spare spare = spares.remove(id);
        if (spare == null) {
            return null;
        }
        Rootfs r;
        if (spare.rootfs() != null) {
            r = await(spare.rootfs(), KILL_WAIT);
        } else {
            try {
                r = s.rootfs().open(id);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "pod " + uid + ": spare root filesystem " + id + " not reusable: " + e.getMessage());
                return null; // start removes what is left of it and makes it again
            }
        }
        if (r != null && !image.equals(spare.image())) {
            dropMonitorAhead(id);
            removeRuntimeContainer(id); // the pod's image changed since: not this one
            return null;
        }
        return r;
    }

    /** Starts run {@code id}'s monitor, which writes {@code log}, as the node's log settings say. */
    private AttachMonitors.Started startMonitor(io.fabric8.kubernetes.api.model.Container c, String id, Path log) {
        return s.attach().start(id, log, s.options().logMaxBytes(), s.options().logMaxFiles(), Boolean.TRUE.equals(c.getTty()),
                Boolean.TRUE.equals(c.getStdin()), Boolean.TRUE.equals(c.getStdinOnce()));
    }

    /**
     * Starts the monitor of run {@code attempt} of {@code c} now, on the node's pool, beside its
     * spare root. Not for a terminal: its monitor waits for the pty, so an unused one would not end by itself.
     */
    private void prepareMonitor(io.fabric8.kubernetes.api.model.Container c, int attempt) {
        String id = uid + "_" + c.getName() + "_" + attempt;
        if (Boolean.TRUE.equals(c.getTty()) || monitorsAhead.containsKey(id)) {
            return;
        }
        Path log = s.logs().current(uid, c.getName(), attempt);
        try {
            monitorsAhead.put(id, CompletableFuture.supplyAsync(() -> startMonitor(c, id, log), s.workers()));
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            // closing
        }
    }

    /** The monitor started ahead for run {@code id}, if it started; null otherwise (start makes one then). */
    private AttachMonitors.Started takeMonitor(String id) {
        CompletableFuture<AttachMonitors.Started> f = monitorsAhead.remove(id);
        if (f == null) {
            return null;
        }
        AttachMonitors.Started m = await(f, KILL_WAIT);
        if (m == null) {
            f.thenAccept(AttachMonitors.Started::close); // one that starts after all is closed: it exits
        }
        return m;
    }

    /** Closes the monitor started ahead for run {@code id}, if any: it reads EOF and exits. */
    private void dropMonitorAhead(String id) {
        AttachMonitors.Started m = takeMonitor(id);
        if (m != null) {
            m.close();
        }
    }

    /**
     * Removes a dead run's container off the pod's queue (on the node's pool), so that the pod's next
     * exit or sync never waits behind an unmount; terminate waits for these before it removes the pod.
     */
    private void cleanUpLater(String id) {
        CompletableFuture<Void> f;
        try {
            f = CompletableFuture.runAsync(() -> removeRuntimeContainer(id), s.workers());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // the node is closing; resume removes it (the record says EXITED)
        }
        synchronized (cleanups) {
            cleanups.removeIf(CompletableFuture::isDone);
            cleanups.add(f);
        }
    }

    private void awaitCleanups() {
        List<CompletableFuture<Void>> pending;
        synchronized (cleanups) {
            pending = new ArrayList<>(cleanups);
            cleanups.clear();
        }
        for (CompletableFuture<Void> f : pending) {
            await(f, KILL_WAIT);
        }
    }

    /** Removes a runtime container and its root filesystem; nothing there is not an error. */
    private void removeRuntimeContainer(String id) {
        try {
            s.runtime().delete(id, true);
        } catch (ContainerNotFoundException e) {
            // Not (or no longer) there.
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": cannot delete container " + id + ": " + e.getMessage());
        }
        s.attach().stop(id); // after its container: the monitor writes the last output, then exits by itself
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

    private void wakeAt(Instant at) {
        if (wake != null && wakeAt != null && !wakeAt.isAfter(at)) {
            return; // an earlier wake-up, not yet run, will reconcile anyway
        }
        cancelWake();
        // Rounded up: a wake-up a fraction of a millisecond early finds the pod still backing off.
        long delay = Math.max(0, (Duration.between(now(), at).toNanos() + 999_999) / 1_000_000);
        wakeAt = at;
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        try {
            // The wake-up forgets itself on the worker, before its reconcile: one that only asked
            // whether the timer's future was done lost the pod's next wake-up when that reconcile ran
            // before the timer thread had marked it done (a restart then waited for the resync, 9-16 s
            // in NodeBenchmark with a 50 ms policy, docs/benchmarks.md).
            self[0] = s.timers().schedule(() -> post(() -> {
                if (wake == self[0]) {
                    wake = null;
                    wakeAt = null;
                }
                reconcile();
            }), delay, TimeUnit.MILLISECONDS);
            wake = self[0];
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The node is closing: no more wake-ups; the next daemon reconciles.
        }
    }

    private void cancelWake() {
        if (wake != null) {
            wake.cancel(false);
            wake = null;
            wakeAt = null;
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
            saveCount++;
        }
    }

    private void event(String type, String reason, String message) {
        if (deferredEvents != null) {
            deferredEvents.add(new String[] {type, reason, message});
            return;
        }
        writeEvent(type, reason, message);
    }

    /** Writes the events a reconcile raised so far, in their order (after its status, see {@link #deferredEvents}). */
    private void flushEvents() {
        if (deferredEvents == null) {
            return;
        }
        for (String[] ev : deferredEvents) {
            writeEvent(ev[0], ev[1], ev[2]);
        }
        deferredEvents.clear();
    }

    private void writeEvent(String type, String reason, String message) {
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
        PodStatus st = PodStatuses.build(pod, rec, observed());
        if (!st.equals(lastPublished)) {
            lastPublished = st;
            try {
                s.listener().statusChanged(uid, st);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": status listener failed: " + e.getMessage());
            }
        }
        flushEvents();
    }

    private PodStatuses.Observed observed() {
        return new PodStatuses.Observed(waiting, ready, started, conditionTimes, s.options().hostIP(),
                sandbox != null && !sandbox.exit().isDone(), now());
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
