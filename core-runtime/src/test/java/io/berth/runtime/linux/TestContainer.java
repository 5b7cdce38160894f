package io.berth.runtime.linux;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.berth.runtime.seccomp.SeccompProgram;

/** Builds a busybox container plan the way runc's defaults would, and runs scripts in it. */
final class TestContainer {
    static final List<String> ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=dumb");
    static final Set<Namespace> NAMESPACES = Set.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
            Namespace.NETWORK);

    final Path rootfs;
    ProcessSetup.User user = ProcessSetup.User.root();
    ProcessSetup.Capabilities caps = ProcessSetup.Capabilities.of(Capability.dockerDefaults());
    List<ProcessSetup.Limit> rlimits = List.of(new ProcessSetup.Limit(Rlimit.NOFILE, 1024, 1024));
    String cwd = "/";
    String hostname = "berth-test";
    List<String> env = ENV;
    boolean readonlyRoot;
    List<MountSpec> mounts = RootfsSetup.defaultMounts();
    List<MountSpec> extraMounts = List.of();
    /** Non-null: the process gets a pty, its master sent over {@link #consoleSocket}. */
    ProcessSetup.Terminal terminal;
    int consoleSocket = LaunchPlan.CONSOLE_PAIR;
    boolean noNewPrivileges = true;
    /** Non-null: installed where {@link ProcessSetup} places it. */
    SeccompProgram seccomp;

    TestContainer(Path rootfs) {
        this.rootfs = rootfs;
    }

    LaunchPlan plan(List<String> argv, Stdio stdio) {
        List<MountSpec> mounts = new ArrayList<>(this.mounts);
        mounts.addAll(extraMounts);
        List<ChildOp> ops = new ArrayList<>(RootfsSetup.prepare(rootfs, readonlyRoot, mounts,
                RootfsSetup.DEFAULT_MASKED_PATHS, RootfsSetup.DEFAULT_READONLY_PATHS, hostname, true, false, null));
        LaunchPlan base = LaunchPlan.of(argv, env, stdio).withNewNamespaces(NAMESPACES);
        ops.addAll(ProcessSetup.prepare(user, caps, noNewPrivileges, rlimits, cwd, argv, base.pathEnv(),
                terminal, seccomp));
        return base.withSetup(ops).withConsoleSocket(terminal != null ? consoleSocket : LaunchPlan.NO_CONSOLE);
    }

    /** Runs {@code sh -c script}; stdout and stderr go to files in {@code dir}. */
    Result run(Path dir, String script) throws IOException {
        return run(dir, List.of("/bin/sh", "-c", script), UnaryOperator.identity());
    }

    Result run(Path dir, List<String> argv, UnaryOperator<LaunchPlan> adjust) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        try (FileOutputStream o = new FileOutputStream(out.toFile()); FileOutputStream e = new FileOutputStream(err.toFile())) {
            Stdio stdio = new Stdio(Stdio.NULL, FdUtil.fdOf(out), FdUtil.fdOf(err));
            try (ChildProcess c = Launcher.launch(adjust.apply(plan(argv, stdio)))) {
                c.proceed();
                c.start();
                ExitStatus s = c.waitFor();
                return new Result(s, Files.readString(out), Files.readString(err));
            }
        }
    }

    record Result(ExitStatus status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }
}
