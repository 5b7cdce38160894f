package io.berth.runtime.linux;

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
