package io.berth.runtime.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.berth.runtime.oci.Spec;
import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.runtime.seccomp.SeccompProgram;
import io.berth.testkit.BusyboxRootfs;

/**
 * Prints p50/p95/max of sequential /bin/true runs through the library (launch, proceed, wait,
 * close), for a few plan shapes. Run as root with {@code scripts/bench-runtime.sh [runs]}, or after
 * {@code mvn -o -q -pl core-runtime -am -DskipTests package test-compile}:
 * <pre>
 * java -cp "core-runtime/target/test-classes:core-runtime/target/berth-core-runtime.jar:testkit/target/classes:$(ls core-runtime/target/lib/*.jar | tr '\n' ':')" \
 *     io.berth.runtime.linux.LaunchBenchmark 200
 * </pre>
 * (exec:java with -Dexec.args does not work here: the pom's gcc/mkdir exec executions take those args too.)
 */
public final class LaunchBenchmark {
    private LaunchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        TestContainer c = new TestContainer(BusyboxRootfs.path());
        LaunchPlan full = c.plan(List.of("/bin/true"), Stdio.nullStdio());
        LaunchPlan noNet = full.withNewNamespaces(Set.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC))
                .withSetup(full.setup().stream().filter(op -> !(op instanceof ChildOp.LoopbackUp)).toList());
        c.terminal = ProcessSetup.Terminal.forContainer(24, 80);
        LaunchPlan tty = c.plan(List.of("/bin/true"), Stdio.nullStdio()).withNewNamespaces(noNet.newNamespaces());
        tty = tty.withSetup(tty.setup().stream().filter(op -> !(op instanceof ChildOp.LoopbackUp)).toList());
        LaunchPlan host = LaunchPlan.of(List.of("/bin/true"), List.of("PATH=/bin"), Stdio.nullStdio());
        System.out.printf("%d sequential runs of /bin/true each, JVM max heap %d MB%n", runs,
                Runtime.getRuntime().maxMemory() >> 20);
        measure("host process, CLONE_VM", host, runs);
        measure("host process, fork-style", host.withShareMemory(false), runs);
        measure("container 4 ns (pid,mnt,uts,ipc) + rootfs, CLONE_VM", noNet, runs);
        measure("container 4 ns + rootfs, fork-style", noNet.withShareMemory(false), runs);
        measure("container 5 ns (+net, lo up) + rootfs, CLONE_VM", full, runs);
        measure("container 4 ns + rootfs + terminal (pty, socketpair)", tty, runs);

        Spec.Seccomp docker = SeccompTest.dockerDefault();
        SeccompProgram program = SeccompCompiler.compile(docker);
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            SeccompCompiler.compile(docker);
        }
        System.out.printf("Docker's default seccomp profile: %d BPF instructions, compiled in %.1f us%n",
                program.instructions(), (System.nanoTime() - t0) / 1000 / 1e3);
        c.terminal = null;
        c.seccomp = program;
        LaunchPlan filtered = withoutNet(c.plan(List.of("/bin/true"), Stdio.nullStdio()), noNet);
        measure("container 4 ns + rootfs + Docker's seccomp profile", filtered, runs);
        // 1-byte dd: two syscalls (read, write) per byte, so the filter's per-syscall cost shows.
        List<String> dd = List.of("/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=200000");
        LaunchPlan ddFiltered = withoutNet(c.plan(dd, Stdio.nullStdio()), noNet);
        c.seccomp = null;
        LaunchPlan ddPlain = withoutNet(c.plan(dd, Stdio.nullStdio()), noNet);
        measure("dd 400k syscalls, no filter", ddPlain, Math.max(5, runs / 20));
        measure("dd 400k syscalls, Docker's seccomp profile", ddFiltered, Math.max(5, runs / 20));
        hardening(noNet);
    }

    /**
     * What issue 11's hardening costs a launch (docs/security.md). Too little to see in a launch's
     * p50 on a shared machine, so it is measured per op: one launch carrying 2000 copies of an op,
     * the checked form against the old one, and the difference divided. A path relative to the cwd
     * now goes through openat2 beneath it (the absolute spelling of the same path still takes the
     * old way, by name); a credential op (KeepCaps) is now followed by prctl(PR_SET_DUMPABLE, 0),
     * NoNewPrivs (one prctl too) is not. Then the ops of the container plan above are counted.
     */
    private static void hardening(LaunchPlan container) throws Exception {
        Path scratch = Files.createTempDirectory("berth-bench-");
        try {
            Files.createDirectories(scratch.resolve("d/e"));
            Files.createFile(scratch.resolve("d/f"));
            String rel = scratch.toString().substring(1);
            int n = 2000;
            double touch = perOp(n, new ChildOp.Touch(rel + "/d/f"), new ChildOp.Touch("/" + rel + "/d/f"));
            double mkdir = perOp(n, new ChildOp.MakeDir(rel + "/d/e", 0755), new ChildOp.MakeDir("/" + rel + "/d/e", 0755));
            // An existing link: symlinkat fails EEXIST (which the op accepts) after the parent's open,
            // the step that mknod, symlink and mount targets now add.
            Files.createSymbolicLink(scratch.resolve("d/l"), Path.of("f"));
            double parent = perOp(n, new ChildOp.Symlink("f", rel + "/d/l"), new ChildOp.Symlink("f", "/" + rel + "/d/l"));
            double prctl = prctlCost();
            System.out.printf("hardening per op: relative touch %+.2f us, mkdir -p %+.2f us, symlink (parent opened) %+.2f us;"
                    + " prctl(PR_SET_DUMPABLE, 0) %.2f us%n", touch, mkdir, parent, prctl);
            long relative = Launcher.program(container).stream().map(op -> op instanceof ChildOp.IfExists i ? i.op() : op)
                    .filter(LaunchBenchmark::relativePath).count();
            long credential = Launcher.program(container).stream().filter(op -> op instanceof ChildOp.SetUid || op instanceof ChildOp.SetGid
                    || op instanceof ChildOp.SetGroups || op instanceof ChildOp.SetCaps || op instanceof ChildOp.KeepCaps
                    || op instanceof ChildOp.RaiseAmbient || op instanceof ChildOp.SetNs || op instanceof ChildOp.Unshare).count();
            System.out.printf("container 4 ns + rootfs: %d relative-path ops, %d credential ops + 1 prctl at the start:"
                    + " about %.0f us added per launch%n", relative, credential, relative * Math.max(parent, Math.max(touch, mkdir)) + (credential + 1) * prctl);
        } finally {
            io.berth.testkit.BusyboxRootfs.deleteTree(scratch);
        }
    }

    private static boolean relativePath(ChildOp op) {
        String path = op instanceof ChildOp.Touch t ? t.path() : op instanceof ChildOp.MakeDir m ? m.path()
                : op instanceof ChildOp.Mount m ? m.target() : op instanceof ChildOp.Bind b ? b.target()
                : op instanceof ChildOp.MakeNod m ? m.path() : op instanceof ChildOp.Symlink l ? l.linkPath() : "/";
        return !path.startsWith("/");
    }

    /**
     * prctl(PR_SET_DUMPABLE, 0) as this JVM calls it through jnr-ffi: the call the child makes after
     * each credential op, plus jnr's own overhead, so an upper bound (the JVM is non-dumpable already,
     * as the child finds it).
     */
    private static double prctlCost() {
        NativeLibrary nl = NativeLibrary.get();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 200_000; i++) {
                nl.lib.berth_set_dumpable(0);
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e3 / 200_000;
    }

    /**
     * Microseconds one {@code checked} op costs more than one {@code plain}: the fastest of 31
     * launches of 2000 each (the least disturbed: on a loaded shared machine a median carries
     * scheduling delays of milliseconds, which per op is microseconds of noise).
     */
    private static double perOp(int n, ChildOp checked, ChildOp plain) {
        LaunchPlan base = LaunchPlan.of(List.of("/bin/true"), List.of("PATH=/bin"), Stdio.nullStdio());
        List<ChildOp> ops = new java.util.ArrayList<>(List.of(new ChildOp.Chdir("/")));
        ops.addAll(java.util.Collections.nCopies(n, checked));
        LaunchPlan a = base.withSetup(ops);
        ops = new java.util.ArrayList<>(List.of(new ChildOp.Chdir("/")));
        ops.addAll(java.util.Collections.nCopies(n, plain));
        LaunchPlan b = base.withSetup(ops);
        long ta = Long.MAX_VALUE;
        long tb = Long.MAX_VALUE;
        for (int i = 0; i < 31; i++) {
            // Interleaved, so a change of load hits both alike.
            ta = Math.min(ta, timeOnce(a));
            tb = Math.min(tb, timeOnce(b));
        }
        return (ta - tb) / 1e3 / n;
    }

    private static long timeOnce(LaunchPlan plan) {
        long t0 = System.nanoTime();
        once(plan);
        return System.nanoTime() - t0;
    }

    private static LaunchPlan withoutNet(LaunchPlan p, LaunchPlan noNet) {
        return p.withNewNamespaces(noNet.newNamespaces())
                .withSetup(p.setup().stream().filter(op -> !(op instanceof ChildOp.LoopbackUp)).toList());
    }

    private static void measure(String name, LaunchPlan plan, int runs) {
        for (int i = 0; i < 20; i++) {
            once(plan);
        }
        long[] ns = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            once(plan);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf("%-55s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms%n", name, ns[runs / 2] / 1e6,
                ns[(int) Math.ceil(runs * 0.95) - 1] / 1e6, ns[runs - 1] / 1e6);
    }

    private static void once(LaunchPlan plan) {
        try (ChildProcess c = Launcher.launch(plan)) {
            c.proceed();
            ExitStatus s = c.waitFor();
            if (s.code() != 0) {
                throw new IllegalStateException("/bin/true " + s);
            }
        }
    }

}
