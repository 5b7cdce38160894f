package io.berth.orchestrator.kuberuntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.berth.image.rootfs.RootfsManager;
import io.berth.image.store.ImageStore;
import io.berth.orchestrator.images.ImageManager;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.monitor.ExitFiles;
import io.berth.orchestrator.monitor.AttachMonitors;
import io.berth.orchestrator.monitor.ExitMonitor;
import io.berth.orchestrator.monitor.Subreaper;
import io.berth.orchestrator.network.NetworkOptions;
import io.berth.orchestrator.network.PodNetwork;
import io.berth.orchestrator.probe.Prober;
import io.berth.orchestrator.reconcile.NodeServices;
import io.berth.orchestrator.reconcile.PodWorker;
import io.berth.orchestrator.reconcile.RestartBackoff;
import io.berth.orchestrator.store.NodeRecords;
import io.berth.orchestrator.store.PodRecord;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.container.ContainerNotFoundException;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.OciState;
import io.berth.runtime.container.RuntimeOptions;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * The node side of the daemon: {@link PodRuntime} over core-runtime and image-store. One
 * {@link PodWorker} per pod serialises everything that happens to that pod; an {@link ExitMonitor}
 * turns container exits into worker tasks; a periodic resync reconciles every pod even when
 * nothing happened. Plain Java: the API side constructs it and calls it.
 *
 * <p>Run the daemon under {@code berth-subreaper} ({@link Subreaper#command}) so that exits that
 * happen while no daemon runs are kept; without it they are reported as ContainerStatusUnknown.
 */
public final class NodePodRuntime implements PodRuntime {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** Pods resumed at once: about the cores there are, so resume does not starve the rest of a start. */
    private static final int RESUME_PARALLELISM = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final NodeOptions options;
    private final PodStatusListener listener;
    private final NodeServices services;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private final ExecutorService pool;
    private final ExitMonitor monitor;
    private volatile boolean closed;
    /** The resync interval is cut into this many ticks (at most 50, each at least 10 ms) ... */
    private static final int MAX_RESYNC_SLICES = 50;
    private final int resyncSlices;
    /** ... and each tick reconciles the pods whose uid hashes to its slice (only the timer thread touches this). */
    private int nextResyncSlice;

    /** A node whose pods have only {@code lo} (their /etc files are still written). */
    public NodePodRuntime(NodeOptions options, PodStatusListener listener) {
        this(options, NetworkOptions.none(options.stateRoot()), listener);
    }

    public NodePodRuntime(NodeOptions options, NetworkOptions network, PodStatusListener listener) {
        this.options = options;
        this.listener = listener;
        ImageStore images;
        try {
            Files.createDirectories(options.stateRoot());
            images = new ImageStore(options.imageRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the node's state under " + options.stateRoot(), e);
        }
        ContainerRuntime runtime = new ContainerRuntime(new RuntimeOptions(options.runtimeRoot(), options.cgroupParent(), false),
                m -> LOG.log(System.Logger.Level.WARNING, m));
        this.monitor = new ExitMonitor(new ExitFiles(options.exitsDir()), runtime);
        this.timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("node-timer"));
        this.pool = Executors.newCachedThreadPool(daemonThreads("pod-worker"));
        this.services = new NodeServices(options, listener, runtime, new ImageManager(images, options.imagePullBackoff(), options.clock()),
                new RootfsManager(images, options.rootfsMode()), new NodeRecords(options.recordsDir()), monitor,
                new AttachMonitors(options.attachRoot(), options.binDir(), monitor.files()), options.logs(),
                new RestartBackoff(options.restartBackoff()), timers, pool, CgroupFs.detect(), new Prober(runtime),
                new PodNetwork(network));
        if (!Subreaper.isParentOfThisProcess()) {
            LOG.log(System.Logger.Level.WARNING, "the node does not run under berth-subreaper: container exits that happen while "
                    + "the daemon is down will be reported as ContainerStatusUnknown");
        }
        long resync = Math.max(1, options.resyncInterval().toMillis());
        resyncSlices = (int) Math.max(1, Math.min(MAX_RESYNC_SLICES, resync / 10));
        long tick = Math.max(1, resync / resyncSlices);
        timers.scheduleWithFixedDelay(this::resyncSlice, tick, tick, TimeUnit.MILLISECONDS);
    }

    public NodeOptions options() {
        return options;
    }

    /** The node's pulls, for the Images API to share. */
    public io.berth.orchestrator.images.ImagePulls imagePulls() {
        return services.images().pulls();
    }

    /**
     * The node's image store (root: the state root). The API side's image endpoints should use this
     * instance: the store's gc lock is per instance, so a second instance over the same root could
     * collect what a pull of this one is writing.
     */
    public ImageStore images() {
        return services.images().store();
    }

    /** Where container logs are: what the API side reads for pods/log. */
    public PodLogs logs() {
        return options.logs();
    }

    @Override
    public void sync(Pod pod) {
        checkOpen();
        String uid = pod.getMetadata().getUid();
        PodWorker w = worker(uid, pod);
        w.release(); // still waiting for its turn to resume: the API's request does not wait for other pods
        w.update(pod);
    }

    @Override
    public void terminate(String podUid, Duration gracePeriod) {
        checkOpen();
        PodWorker w = workers.get(podUid);
        if (w == null) {
            if (services.records().load(podUid) == null) {
                listener.podGone(podUid);
                return;
            }
            w = worker(podUid, null);
        }
        PodWorker worker = w;
        worker.release(); // as in sync
        worker.post(() -> worker.terminate(gracePeriod));
    }

    @Override
    public void resume(Collection<Pod> pods) {
        resume(pods, java.util.concurrent.CompletableFuture.completedFuture(null));
    }

    @Override
    public void resume(Collection<Pod> pods, java.util.concurrent.CompletionStage<?> admit) {
        checkOpen();
        long t0 = System.nanoTime();
        Map<String, Pod> byUid = new HashMap<>();
        for (Pod p : pods) {
            byUid.put(p.getMetadata().getUid(), p);
        }
        List<PodRecord> records = services.records().loadAll();
        // What the runtime and the image store hold, listed once for every pod (names only): a
        // listing per pod, reading every container's state, made adoption quadratic in the pod count.
        Map<String, Set<String>> leftovers = new HashMap<>();
        for (String id : services.containerIds()) {
            leftovers.computeIfAbsent(NodeServices.podOf(id), u -> new TreeSet<>()).add(id);
        }
        Set<String> known = new HashSet<>();
        // Each pod's adoption, repair and first reconcile run on its own worker, queued here and run
        // later, so any sync or delete of the pod queues behind them. A few pods at a time
        // (RESUME_PARALLELISM): hundreds at once put as many threads on the pool, which left the
        // 2 cores to nobody in particular and the daemon's own start to wait.
        Queue<PodWorker> admissions = new ConcurrentLinkedQueue<>();
        AtomicInteger unresumed = new AtomicInteger(records.size());
        Runnable resumed = () -> {
            if (unresumed.decrementAndGet() == 0) {
                LOG.log(System.Logger.Level.INFO, "resumed " + records.size() + " pods in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
            PodWorker next = admissions.poll();
            if (next != null) {
                next.release();
            }
        };
        for (PodRecord r : records) {
            known.add(r.uid);
            Pod pod = byUid.get(r.uid);
            PodWorker w = worker(r.uid, pod, r, leftovers.getOrDefault(r.uid, Set.of()), true);
            if (pod == null) {
                // The API no longer has it (deleted while we were down): nothing of it may stay.
                w.post(() -> w.terminate(Duration.ZERO));
            } else {
                w.update(pod);
            }
            w.postAlways(resumed);
            admissions.add(w);
        }
        admit.thenRun(() -> {
            for (int i = 0; i < RESUME_PARALLELISM; i++) {
                PodWorker next = admissions.poll();
                if (next != null) {
                    next.release();
                }
            }
        });
        LOG.log(System.Logger.Level.INFO, "resuming " + records.size() + " pods (" + leftovers.size() + " with runtime containers or root "
                + "filesystems); queued in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        removeOrphans(known, leftovers);
        removeStaleExitFiles(records);
        for (Pod p : pods) {
            if (!known.contains(p.getMetadata().getUid())) {
                sync(p);
            }
        }
    }

    /**
     * Runtime containers and root filesystems that no record names: a crash between create and the
     * record (the record is written first, so only a pod never recorded at all, or one whose record
     * is already removed, can leave these). {@code leftovers}: every such id by pod uid.
     */
    private void removeOrphans(Set<String> recorded, Map<String, Set<String>> leftovers) {
        for (String id : services.attach().ids()) {
            if (!recorded.contains(NodeServices.podOf(id))) {
                services.attach().stop(id);
            }
        }
        for (Map.Entry<String, Set<String>> pod : leftovers.entrySet()) {
            if (recorded.contains(pod.getKey())) {
                continue;
            }
            for (String id : pod.getValue()) {
                LOG.log(System.Logger.Level.INFO, "removing container " + id + ", which no pod record names");
                try {
                    services.runtime().delete(id, true);
                } catch (ContainerNotFoundException e) {
                    // only a root filesystem
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove orphan container " + id + ": " + e.getMessage());
                    continue; // its root filesystem may still be in use
                }
                try {
                    services.rootfs().delete(id);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove the root filesystem of orphan container " + id + ": " + e.getMessage());
                }
            }
        }
        services.network().removeUnrecorded(recorded);
        // emptyDirs of pods with no record (deleted while the record was already gone): their
        // containers were removed above, so nothing uses a memory emptyDir's mount any more.
        if (Files.isDirectory(options.volumesRoot())) {
            try (var s = Files.list(options.volumesRoot())) {
                for (Path d : s.toList()) {
                    if (!recorded.contains(d.getFileName().toString())) {
                        PodVolumes.remove(d);
                    }
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove orphan volumes under " + options.volumesRoot() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Exit files that name no run of any record (a pod deleted while its last exit was in flight):
     * only ones older than a minute, so that an exit being recorded right now is never taken.
     */
    private void removeStaleExitFiles(List<PodRecord> records) {
        Set<String> named = new HashSet<>();
        for (PodRecord r : records) {
            for (PodRecord.ContainerEntry e : r.containers.values()) {
                for (PodRecord.Instance i : new PodRecord.Instance[] {e.current, e.previous, e.starting}) {
                    if (i != null) {
                        named.add(i.pid + "-" + i.pidStartTime);
                    }
                }
            }
        }
        long cutoff = System.currentTimeMillis() - 60_000;
        try (var files = Files.list(options.exitsDir())) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (!named.contains(n) && Files.getLastModifiedTime(f).toMillis() < cutoff) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean " + options.exitsDir() + ": " + e.getMessage());
        }
    }

    private PodWorker worker(String uid, Pod pod) {
        return worker(uid, pod, null, null, false);
    }

    /**
     * The pod's worker, made (and its recovery queued first, when the pod has a record) if it has
     * none. {@code rec}: the record when the caller has read it, else it is read here;
     * {@code found}: the pod's runtime containers and root filesystems when the caller has listed
     * them, else null; {@code held}: a new worker only queues its tasks until released
     * ({@link PodWorker#hold}); an existing one is returned as it is.
     */
    private PodWorker worker(String uid, Pod pod, PodRecord rec, Set<String> found, boolean held) {
        return workers.computeIfAbsent(uid, u -> {
            PodRecord r = rec != null ? rec : services.records().load(u);
            PodWorker w = new PodWorker(services, u, pod, r, () -> workers.remove(u));
            if (held) {
                w.hold();
            }
            if (r != null) {
                w.post(() -> w.recover(found));
            }
            return w;
        });
    }

    /**
     * The running instance of the container (ids are podUid_name_attempt; the newest attempt
     * wins), and a process in it with the environment and user its main process started with
     * (read from /proc, as the spec the worker built is not kept).
     */
    @Override
    public io.berth.runtime.container.ExecProcess exec(String podUid, String containerName, java.util.List<String> command,
                                                       boolean tty, io.berth.runtime.container.ContainerIo stdio) {
        OciState running = running(podUid, containerName);
        io.berth.runtime.oci.ProcessSpecBuilder p = io.berth.runtime.oci.DefaultSpec.processBuilder()
                .args(command).terminal(tty).cwd(ContainerSpecs.workingDir(running));
        try {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Integer.toString(running.pid()), "environ"));
            java.util.List<String> env = new java.util.ArrayList<>();
            for (String e : new String(environ, java.nio.charset.StandardCharsets.UTF_8).split("\0")) {
                if (e.indexOf('=') > 0) {
                    env.add(e);
                }
            }
            if (!env.isEmpty()) {
                p.env(env);
            }
            long[] uidGid = {0, 0}; // the main process's effective ids
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(running.pid()), "status"))) {
                if (line.startsWith("Uid:") || line.startsWith("Gid:")) {
                    uidGid[line.startsWith("Uid:") ? 0 : 1] = Long.parseLong(line.split("\\s+")[2]);
                }
            }
            p.user(uidGid[0], uidGid[1]);
        } catch (IOException e) {
            throw new java.util.NoSuchElementException("container " + containerName + " is not running (" + e.getMessage() + ")");
        }
        return services.runtime().exec(running.id(), p.build(), stdio);
    }

    /** The newest running instance of the container (ids are podUid_name_attempt). */
    private OciState running(String podUid, String containerName) {
        checkOpen();
        String prefix = podUid + "_" + containerName + "_";
        return services.runtime().list().stream()
                .filter(st -> st.id().startsWith(prefix) && st.id().substring(prefix.length()).matches("\\d+"))
                .filter(st -> st.status() == io.berth.runtime.container.ContainerStatus.RUNNING && st.pid() > 0)
                .max(java.util.Comparator.comparingLong(st -> Long.parseLong(st.id().substring(prefix.length()))))
                .orElseThrow(() -> new java.util.NoSuchElementException("container " + containerName + " is not running"));
    }

    /** The attach socket of the running instance's monitor; empty for a run made before every run had one. */
    @Override
    public java.util.Optional<Path> attachSocket(String podUid, String containerName) {
        return services.attach().socket(running(podUid, containerName).id());
    }

    @Override
    public String networkNamespace(String podUid) {
        checkOpen();
        String id = io.berth.orchestrator.sandbox.Sandbox.id(podUid);
        return services.runtime().list().stream()
                .filter(st -> st.id().equals(id) && st.status() == io.berth.runtime.container.ContainerStatus.RUNNING && st.pid() > 0)
                .findFirst()
                .map(st -> io.berth.orchestrator.sandbox.Sandbox.namespacePath(st.pid(), "net"))
                .orElseThrow(() -> new java.util.NoSuchElementException("the pod's sandbox is not running"));
    }

    /**
     * The periodic resync, one slice of the pods per tick, so that every pod is reconciled once per
     * interval but only a few at a time: all of them at once put hundreds of tasks on the pool at
     * the same moment, and the pool kept a thread for each (171 threads idle at 500 pods).
     */
    private void resyncSlice() {
        if (closed) {
            return;
        }
        int slice = nextResyncSlice;
        nextResyncSlice = (slice + 1) % resyncSlices;
        for (PodWorker w : workers.values()) {
            if (Math.floorMod(w.uid().hashCode(), resyncSlices) == slice) {
                w.post(w::resync);
            }
        }
    }

    /** Stops the workers and timers; every container keeps running for the next daemon to adopt. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        monitor.close();
        for (PodWorker w : workers.values()) {
            w.abandon();
        }
        timers.shutdownNow();
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the node runtime is closed");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
