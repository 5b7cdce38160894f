package io.berth.runtime.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.runtime.oci.SpecValidator;

/**
 * Berth's runtime as a library: the OCI lifecycle (create, start, state, kill, delete) over one
 * state root. Containers created through an instance can also be waited for through the returned
 * {@link Container}; the others (created by another process) are driven through their records.
 */
public final class ContainerRuntime implements AutoCloseable {
    private final RuntimeContext ctx;

    /** Warnings (a failing poststart or poststop hook) go to the platform logger {@code io.berth.runtime}. */
    public ContainerRuntime(RuntimeOptions options) {
        this(options, ContainerRuntime::logWarning);
    }

    /**
     * @param warnings receives, one line each, what the spec says must be reported but must not fail
     *                 the operation (a failing poststart or poststop hook)
     */
    public ContainerRuntime(RuntimeOptions options, Consumer<String> warnings) {
        this.ctx = new RuntimeContext(options, warnings);
    }

    private static void logWarning(String message) {
        System.getLogger("io.berth.runtime").log(System.Logger.Level.WARNING, message);
    }

    public RuntimeOptions options() {
        return ctx.options;
    }

    /**
     * Creates the container from {@code bundle}/config.json; its process waits for {@link #start}.
     * The fd level, for callers that hold raw fds (the CLI); from Java, pass a {@link ContainerIo}.
     */
    public Container create(String id, Path bundle, Stdio stdio) {
        return ContainerCreate.run(ctx, id, bundle, stdio, null);
    }

    /** As {@link #create(String, Path, Stdio)}, sending a terminal's master to {@code consoleSocket} (runc's --console-socket). */
    public Container create(String id, Path bundle, Stdio stdio, Path consoleSocket) {
        return ContainerCreate.run(ctx, id, bundle, stdio, consoleSocket);
    }

    /**
     * Creates the container from a spec already in memory (the daemon's way: no config.json to
     * parse); a relative root.path is resolved against {@code bundle}. Its errors are the spec's
     * ("spec: ..."), not config.json's. The fd level: see {@link #create(String, Path, Spec, ContainerIo)}.
     */
    public Container create(String id, Path bundle, Spec spec, Stdio stdio) {
        return ContainerCreate.run(ctx, id, bundle.toAbsolutePath().normalize(), spec, SpecValidator.IN_MEMORY, stdio, null);
    }

    /**
     * As {@link #create(String, Path, Spec, Stdio)}, sending a terminal's master to {@code consoleSocket}
     * (the daemon gives it to the process that holds an interactive container's terminal).
     */
    public Container create(String id, Path bundle, Spec spec, Stdio stdio, Path consoleSocket) {
        return ContainerCreate.run(ctx, id, bundle.toAbsolutePath().normalize(), spec, SpecValidator.IN_MEMORY, stdio, consoleSocket);
    }

    /**
     * Creates the container from {@code bundle}/config.json with its stdio as {@code io} says: files
     * and pipes are opened here and this JVM's copies closed before this returns (a pipe's own side
     * excepted: that is the caller's, through the pipe's {@code stream()}).
     */
    public Container create(String id, Path bundle, ContainerIo io) {
        StateStore.checkId(id);
        Path bundleDir = bundle.toAbsolutePath().normalize();
        Spec spec = SpecJson.read(bundleDir.resolve("config.json"));
        try (OpenedIo o = OpenedIo.open(io, terminal(spec.process()))) {
            Container c = ContainerCreate.run(ctx, id, bundleDir, spec, SpecValidator.CONFIG_JSON, o.stdio(), null);
            o.launched();
            return c;
        }
    }

    /**
     * Creates the container from a spec in memory (see {@link io.berth.runtime.oci.SpecBuilder}) with
     * its stdio as {@code io} says; a relative root.path is resolved against {@code bundle}.
     */
    public Container create(String id, Path bundle, Spec spec, ContainerIo io) {
        try (OpenedIo o = OpenedIo.open(io, terminal(spec.process()))) {
            Container c = create(id, bundle, spec, o.stdio());
            o.launched();
            return c;
        }
    }

    /**
     * Watches container {@code id}, which another process created (or this JVM before a restart),
     * by its recorded pid and start time; see {@link AdoptedContainer} for what its exit can
     * report. A container that has already exited is adopted with its exit future completed.
     * Close it to stop watching.
     */
    public AdoptedContainer adopt(String id) {
        return ContainerAdopt.run(ctx, id);
    }

    public void start(String id) {
        ContainerStart.run(ctx, id);
    }

    public OciState state(String id) {
        return toState(ctx.record(id));
    }

    /**
     * The ids of the containers in the state root, sorted, without reading their state: for a
     * caller that needs only the names (list reads every container's state and checks its process).
     */
    public List<String> ids() {
        return ctx.store.ids();
    }

    public List<OciState> list() {
        List<OciState> out = new ArrayList<>();
        for (String id : ctx.store.ids()) {
            try {
                out.add(toState(ctx.store.load(id)));
            } catch (ContainerNotFoundException e) {
                // Deleted while we listed.
            }
        }
        return out;
    }

    public void kill(String id, int signal, boolean all) {
        ContainerKill.run(ctx, id, signal, all);
    }

    /**
     * Runs {@code process} in the running container {@code id}; returns once it has exec'd.
     * {@code detachedLaunch}: fork-style, for a caller (the CLI) that exits while it runs. The fd
     * level: see {@link #exec(String, Spec.Process, ContainerIo)}.
     */
    public ExecProcess exec(String id, Spec.Process process, Stdio stdio, boolean detachedLaunch) {
        return ContainerExec.run(ctx, id, process, stdio, detachedLaunch, null);
    }

    /** As {@link #exec(String, Spec.Process, Stdio, boolean)}, sending a terminal's master to {@code consoleSocket}. */
    public ExecProcess exec(String id, Spec.Process process, Stdio stdio, boolean detachedLaunch, Path consoleSocket) {
        return ContainerExec.run(ctx, id, process, stdio, detachedLaunch, consoleSocket);
    }

    /**
     * Runs {@code process} in the running container {@code id} with its stdio as {@code io} says;
     * returns once it has exec'd. Build the process with {@code DefaultSpec.processBuilder()}.
     */
    public ExecProcess exec(String id, Spec.Process process, ContainerIo io) {
        try (OpenedIo o = OpenedIo.open(io, process.terminal())) {
            ExecProcess p = ContainerExec.run(ctx, id, process, o.stdio(), false, null);
            o.launched();
            return p;
        }
    }

    public void pause(String id) {
        ContainerPause.pause(ctx, id);
    }

    public void resume(String id) {
        ContainerPause.resume(ctx, id);
    }

    /** Every process in the container's cgroup (init first when it is still there). */
    public List<Integer> pids(String id) {
        ContainerRecord record = ctx.record(id);
        List<Integer> pids = new ArrayList<>(ctx.cgroup(record).pids());
        if (pids.remove(Integer.valueOf(record.pid()))) {
            pids.add(0, record.pid());
        }
        return pids;
    }

    public void delete(String id, boolean force) {
        ContainerDelete.run(ctx, id, force);
    }

    /** Kills and deletes every container this instance created and still holds. */
    @Override
    public void close() {
        for (String id : List.copyOf(ctx.live.keySet())) {
            try {
                delete(id, true);
            } catch (RuntimeException e) {
                // Best effort at shutdown: the records stay for a later delete.
            }
        }
    }

    private static boolean terminal(Spec.Process p) {
        return p != null && p.terminal();
    }

    private OciState toState(ContainerRecord r) {
        return ctx.state(r, ctx.status(r));
    }
}
