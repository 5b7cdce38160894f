package io.berth.runtime.container;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import io.berth.runtime.cgroup.Cgroup;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.Console;
import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.Launcher;
import io.berth.runtime.linux.Namespace;
import io.berth.runtime.linux.ProcessSetup;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.InvalidSpecException;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecValidator;
import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.runtime.seccomp.SeccompProgram;

/**
 * exec: another process in a running container. It joins every namespace the container was
 * created with (through its init's /proc/PID/ns; joining the PID namespace makes the launcher fork
 * once more so the process is inside it), goes into the container's cgroup before it runs any
 * setup, then takes on the process spec's identity like the init did. The root filesystem is the
 * container's because joining its mount namespace moves the root there.
 */
final class ContainerExec {
    private ContainerExec() {
    }

    static ExecProcess run(RuntimeContext ctx, String id, Spec.Process process, Stdio stdio, boolean detachedLaunch,
            Path consoleSocket) {
        SpecValidator.validateProcess(process);
        if (consoleSocket != null && !process.terminal()) {
            throw new InvalidSpecException("a console socket was given but the process's terminal is false: set it to true or exec without a console socket");
        }
        ContainerRecord record = ctx.record(id);
        ContainerStatus status = ctx.status(record);
        if (status != ContainerStatus.RUNNING) {
            throw new ContainerException("cannot exec in container " + id + ": it is " + status.json() + ", not running");
        }
        LaunchPlanner.ptraceWarning(id, record.pid(), record.namespaces().contains(Namespace.USER)).ifPresent(ctx.warnings);
        Map<Namespace, Path> joins = new EnumMap<>(Namespace.class);
        for (Namespace ns : record.namespaces()) {
            joins.put(ns, Path.of("/proc", Integer.toString(record.pid()), "ns", ns.procName()));
        }
        LaunchPlan draft = LaunchPlan.of(process.args(), process.env(), stdio);
        Spec.Seccomp profile = ctx.store.loadSeccomp(id);
        SeccompProgram seccomp = profile == null ? null : SeccompCompiler.compile(profile);
        ProcessSetup.Terminal terminal = process.terminal()
                ? ProcessSetup.Terminal.forExec(LaunchPlanner.rows(process), LaunchPlanner.cols(process)) : null;
        int consoleFd = !process.terminal() ? LaunchPlan.NO_CONSOLE
                : consoleSocket != null ? Console.connect(consoleSocket) : LaunchPlan.CONSOLE_PAIR;
        ChildProcess child;
        try {
            LaunchPlan plan = draft.withJoinNamespaces(joins)
                    .withShareMemory(!detachedLaunch)
                    .withSetup(ProcessSetup.prepare(LaunchPlanner.user(process.user()), LaunchPlanner.capabilities(process.capabilities()),
                            process.noNewPrivileges(), LaunchPlanner.rlimits(process), process.cwd(), process.args(), draft.pathEnv(),
                            terminal, seccomp))
                    .withConsoleSocket(consoleFd);
            child = Launcher.launch(plan);
        } finally {
            if (consoleFd >= 0) {
                LibC.close(consoleFd); // the child has its own copy
            }
        }
        Cgroup cgroup = ctx.cgroup(record);
        try {
            cgroup.addProcess(child.pid());
            child.proceed();
            if (!record.process().isAlive()) {
                throw new ContainerException("container " + id + " stopped while the exec started");
            }
            return new ExecProcess(child);
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }
}
