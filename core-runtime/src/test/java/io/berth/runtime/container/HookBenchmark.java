package io.berth.runtime.container;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.berth.runtime.oci.Spec;
import io.berth.testkit.BusyboxRootfs;

/**
 * Prints p50/p95/max of running one hook (busybox true, and sh reading its stdin) through
 * {@link HookRunner}: what each hook adds to create, start or delete. Run as root after
 * {@code mvn -o -q -pl core-runtime -am -DskipTests package test-compile}:
 * <pre>
 * java -cp "core-runtime/target/test-classes:core-runtime/target/berth-core-runtime.jar:testkit/target/classes:$(ls core-runtime/target/lib/*.jar | tr '\n' ':')" \
 *     io.berth.runtime.container.HookBenchmark 200
 * </pre>
 */
public final class HookBenchmark {
    private HookBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        String busybox = BusyboxRootfs.path().resolve("bin/busybox").toString();
        OciState state = new OciState("1.2.0", "bench", ContainerStatus.CREATED, 1, "/tmp", Map.of("a", "b"));
        System.out.printf("%d sequential runs each%n", runs);
        measure("hook: busybox true", new Spec.Hook(busybox, List.of("true"), List.of(), null), state, runs);
        measure("hook: busybox sh -c 'cat >/dev/null', 5s timeout",
                new Spec.Hook(busybox, List.of("sh", "-c", "cat > /dev/null"), List.of("PATH=/bin"), 5), state, runs);
    }

    private static void measure(String name, Spec.Hook hook, OciState state, int runs) {
        List<Spec.Hook> hooks = List.of(hook);
        for (int i = 0; i < 20; i++) {
            HookRunner.runOrFail("bench", hooks, state, null);
        }
        long[] ns = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            HookRunner.runOrFail("bench", hooks, state, null);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf("%-55s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms%n", name, ns[runs / 2] / 1e6,
                ns[(int) (runs * 0.95)] / 1e6, ns[runs - 1] / 1e6);
    }
}
