package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.cgroup.CgroupLimits;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.Console;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.Launcher;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Namespace;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.runtime.oci.SpecValidator;

/**
 * create: everything up to the point where the container's process waits to exec. In order:
 * read and validate config.json, check the rootfs, claim the id, make the exec FIFO, make and
 * limit the cgroup, clone the child (it blocks), place it in the cgroup, write its user namespace's
 * id maps, let it set itself up, record the state, run the prestart and createRuntime hooks. Any
 * failure undoes all of that, so a failed create leaves nothing behind.
 */
final class ContainerCreate {
    private ContainerCreate() {
    }

    static Container run(RuntimeContext ctx, String id, Path bundle, Stdio stdio, Path consoleSocket) {
        StateStore.checkId(id);
        Path bundleDir = bundle.toAbsolutePath().normalize();
        return run(ctx, id, bundleDir, SpecJson.read(bundleDir.resolve("config.json")), SpecValidator.CONFIG_JSON, stdio, consoleSocket);
    }

    /**
     * @param consoleSocket with {@code process.terminal}: where to send the pty master (runc's
     *                      --console-socket); null: this JVM receives it ({@link Container#terminal()})
     */
    static Container run(RuntimeContext ctx, String id, Path bundleDir, Spec spec, String document, Stdio stdio, Path consoleSocket) {
        StateStore.checkId(id);
        SpecValidator.validate(spec, document);
        boolean terminal = spec.process().terminal();
        if (consoleSocket != null && !terminal) {
            throw new InvalidSpecException("a console socket was given but process.terminal is false in " + document
                    + ": set it to true or create without a console socket");
        }
        Path rootfs = rootfs(spec, bundleDir, document);
        LaunchPlanner.ptraceWarning(id, spec).ifPresent(ctx.warnings);
        CgroupLimits limits = blamed(document, () -> {
            LaunchPlanner.joins(spec); // a wrong namespace path fails here, before the id is claimed
            return ResourceMapping.limits(spec);
        });
        String cgroupsPath = spec.linux() != null && spec.linux().cgroupsPath() != null && !spec.linux().cgroupsPath().isBlank()
                ? spec.linux().cgroupsPath()
                : ctx.defaultCgroupsPath(id);

        ctx.store.reserve(id);
        Path fifo = ctx.store.execFifo(id);
        int gateFd = -1;
        int consoleFd = LaunchPlan.NO_CONSOLE;
        Cgroup cgroup = null;
        ChildProcess child = null;
        try {
            LibC.mkfifo(fifo.toString(), 0600);
            // O_RDWR: the child blocks reading it, and opening never blocks on a missing peer.
            gateFd = LibC.open(fifo.toString(), LibC.O_RDWR);
            if (terminal) {
                consoleFd = consoleSocket != null ? Console.connect(consoleSocket) : LaunchPlan.CONSOLE_PAIR;
            }
            LaunchPlan plan;
            try {
                plan = LaunchPlanner.plan(spec, rootfs, stdio, gateFd, !ctx.options.detachedLaunch(), ctx.cgroupFs(), consoleFd);
            } catch (InvalidSpecException e) {
                throw new InvalidSpecException(document + ": " + e.getMessage(), e);
            }
            cgroup = ctx.cgroup(cgroupsPath);
            cgroup.create();
            cgroup.apply(limits);
            long oomBaseline = cgroup.oomKillCount();
            child = Launcher.launch(plan);
            consoleFd = closeConsole(consoleFd); // the child has its own copy now
            // Before "go": the process is in its cgroups before its first instruction of setup.
            cgroup.addProcess(child.pid());
            if (plan.newNamespaces().contains(Namespace.USER)) {
                IdMaps.write(child.pid(), spec.linux().uidMappings(), spec.linux().gidMappings());
            }
            if (spec.process().oomScoreAdj() != null) {
                Files.writeString(Path.of("/proc", Integer.toString(child.pid()), "oom_score_adj"), spec.process().oomScoreAdj().toString());
            }
            child.proceed();
            ProcessIdentity identity = ProcessIdentity.of(child.pid());
            if (identity == null) {
                throw new ContainerException("container " + id + " exited during setup");
            }
            ContainerRecord record = new ContainerRecord(id, bundleDir.toString(), rootfs.toString(), child.pid(),
                    identity.startTime(), cgroupsPath, Instant.now(), spec.annotations(),
                    joinedOrNew(plan));
            if (spec.linux() != null && spec.linux().seccomp() != null) {
                ctx.store.saveSeccomp(id, spec.linux().seccomp());
            }
            ctx.store.save(record);
            Spec.Hooks hooks = spec.hooks();
            if (hooks != null && !(hooks.poststart().isEmpty() && hooks.poststop().isEmpty())) {
                ctx.store.saveHooks(id, new Spec.Hooks(null, null, null, null, hooks.poststart(), hooks.poststop()));
            }
            if (hooks != null) {
                // The container's namespaces and rootfs exist and it waits at the gate: the moment of
                // createRuntime (and of prestart, its deprecated twin; runc runs prestart first).
                // A failure throws into the undo below: the container is killed and leaves nothing.
                OciState state = ctx.state(record, ContainerStatus.CREATED);
                HookRunner.runOrFail("prestart", hooks.prestart(), state, bundleDir);
                HookRunner.runOrFail("createRuntime", hooks.createRuntime(), state, bundleDir);
            }
            Container c = new Container(ctx, record, child, cgroup, gateFd, oomBaseline);
            ctx.live.put(id, c);
            return c;
        } catch (IOException e) {
            undo(ctx, id, child, gateFd, consoleFd, cgroup, e);
            throw new ContainerException("create " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // Error too: a native library that fails to load must not leave the id claimed.
            undo(ctx, id, child, gateFd, consoleFd, cgroup, e);
            throw e;
        }
    }

    /** Everything create did, in reverse, whatever step failed. */
    private static void undo(RuntimeContext ctx, String id, ChildProcess child, int gateFd, int consoleFd, Cgroup cgroup, Throwable failure) {
        try {
            if (child != null) {
                child.close();
            }
            LibC.close(gateFd);
            closeConsole(consoleFd);
            if (cgroup != null) {
                cgroup.destroy();
                ctx.releaseCgroupParent(cgroup.path());
            }
        } catch (RuntimeException | Error suppressed) {
            failure.addSuppressed(suppressed);
        } finally {
            ctx.store.remove(id);
        }
    }

    /** What an exec joins: the namespaces the init created and the ones it joined by path alike. */
    private static List<Namespace> joinedOrNew(LaunchPlan plan) {
        Set<Namespace> all = EnumSet.noneOf(Namespace.class);
        all.addAll(plan.newNamespaces());
        all.addAll(plan.joinNamespaces().keySet());
        return List.copyOf(all);
    }

    private static int closeConsole(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
        return LaunchPlan.NO_CONSOLE;
    }

    /** LaunchPlanner and ResourceMapping name the field; which document it is in is said here. */
    private static <T> T blamed(String document, Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException(document + ": " + e.getMessage(), e);
        }
    }

    private static Path rootfs(Spec spec, Path bundleDir, String document) {
        Path rootfs = bundleDir.resolve(spec.root().path()).normalize();
        if (!Files.exists(rootfs)) {
            throw new InvalidSpecException("root.path " + rootfs + " does not exist: unpack an image there or fix root.path in "
                    + (document.equals(SpecValidator.CONFIG_JSON) ? document : "the " + document));
        }
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidSpecException("root.path " + rootfs + " is not a directory: it must be the container's root filesystem");
        }
        return rootfs;
    }
}
