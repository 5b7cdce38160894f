package io.berth.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.container.Bundles;
import io.berth.runtime.container.Container;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.RuntimeFixture;
import io.berth.runtime.linux.Launcher;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecBuilder;

/**
 * Issue 11, as an attacker inside a container would try it (runc's CVE-2016-9962 and
 * CVE-2019-5736): container A scans /proc; container B is created, not started, in A's PID
 * namespace (a pod with shareProcessNamespace), and 200 execs run into A, half of them fork-style
 * as the CLI launches. Every Berth launcher A can see must keep its /proc doors shut: exe (the
 * host's java), root, cwd, fd links, environ, maps, mem.
 *
 * <p>Launchers are recognised by their comm: a launcher is a clone of the thread that launched it
 * and keeps that thread's name until execve, so the creating thread here is named {@link #PROBE}.
 * A door only counts if the name was still there after the door opened (not a process that exec'd
 * meanwhile), and only while the process still had its memory: an exiting process has none, and
 * then the kernel lets maps and mem open on nothing. A control line probes A's own shell first, so a probe that opens nothing anywhere
 * (a broken script) fails the test instead of passing it.
 */
class LauncherVisibilityTest {
    static final String PROBE = "BERTHPROBE";
    static final String ALL_DOORS = " exe exe-link root cwd fd environ maps mem";

    /** Prints the doors of /proc/PID it could open; "SEEN pid doors..." for each launcher it met. */
    static final String SCANNER = """
            probe() {
              d=$1; o=""
              head -c 4 $d/exe >/dev/null 2>&1 && o="$o exe"
              readlink $d/exe >/dev/null 2>&1 && o="$o exe-link"
              ls $d/root/ >/dev/null 2>&1 && o="$o root"
              ls $d/cwd/ >/dev/null 2>&1 && o="$o cwd"
              for f in $d/fd/*; do readlink $f >/dev/null 2>&1 && { o="$o fd"; break; }; done
              [ -n "$(head -c 1 $d/environ 2>/dev/null)" ] && o="$o environ"
              [ -n "$(head -c 1 $d/maps 2>/dev/null)" ] && o="$o maps"
              dd if=$d/mem of=/dev/null bs=1 count=0 2>/dev/null && o="$o mem"
              echo "$o"
            }
            echo "CONTROL$(probe /proc/1)"
            while :; do
              for d in /proc/[0-9]*; do
                [ "$(cat $d/comm 2>/dev/null)" = %1$s ] || continue
                o=$(probe $d)
                [ "$(cat $d/comm 2>/dev/null)" = %1$s ] || continue
                grep -q '^VmSize:' $d/status 2>/dev/null || continue
                echo "SEEN ${d#/proc/}$o"
              done
            done
            """.formatted(PROBE);

    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();
    /** The launching thread, named so its clones can be told apart in /proc. */
    final ExecutorService probe = Executors.newSingleThreadExecutor(r -> new Thread(r, PROBE));

    @AfterEach
    void tearDown() {
        probe.shutdownNow();
    }

    @Test
    void aScanningContainerOpensNoDoorOfACreatedContainerInItsPidNamespaceNorOf200Execs() throws Exception {
        scan(b -> { }, 200);
    }

    /**
     * CAP_SYS_PTRACE held in the container's own user namespace (here mapped to the host's ids, so
     * even the uids match) does not count for the launcher, whose memory belongs to the host's user
     * namespace: that is why Berth warns about the capability only without a user namespace.
     */
    @Test
    void capSysPtraceInAUserNamespaceOpensNoDoorEither() throws Exception {
        List<Spec.IdMapping> identity = List.of(new Spec.IdMapping(0, 0, 65536));
        scan(b -> b.namespace("user").idMappings(identity, identity)
                .process(p -> p.capabilities(Specs.defaultCapabilitiesWith("CAP_SYS_PTRACE"))), 20);
        assertThat(f.warnings).isEmpty();
    }

    private void scan(Consumer<SpecBuilder> scannerSpec, int execs) throws Exception {
        Path a = Bundles.write(dir.resolve("a"), List.of("sh", "-c", SCANNER), scannerSpec);
        Container scanner = f.runtime.create("scanner", a, f.stdio());
        f.runtime.start("scanner");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.stdout().contains("CONTROL"));
        // The probe works: on A's own (dumpable, same uid) shell every door opens.
        assertThat(f.stdout().lines().filter(l -> l.startsWith("CONTROL")).findFirst().orElseThrow())
                .isEqualTo("CONTROL" + ALL_DOORS);

        Path b = Bundles.write(dir.resolve("b"), List.of("true"),
                s -> s.joinNamespace("pid", Path.of("/proc/" + scanner.pid() + "/ns/pid")));
        onProbeThread(() -> f.runtime.create("created", b, f.stdio()));
        // B waits at its start gate inside A's PID namespace for as long as we like: A must see it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen() >= 3);

        Spec.Process exec = Specs.process(List.of("true"));
        for (int i = 0; i < execs; i++) {
            boolean forkStyle = i % 2 == 1;
            onProbeThread(() -> {
                try (ExecProcess e = f.runtime.exec("scanner", exec, f.stdio(), forkStyle)) {
                    assertThat(e.waitFor(Duration.ofSeconds(20)).orElseThrow().exitCode()).isZero();
                }
                return null;
            });
        }
        f.runtime.delete("created", true);
        f.runtime.kill("scanner", Signals.SIGKILL, true);
        scanner.waitFor(Duration.ofSeconds(20)).orElseThrow();

        List<String> seen = f.stdout().lines().filter(l -> l.startsWith("SEEN ")).toList();
        System.out.printf("scanner met a launcher %d times (%d distinct pids)%n", seen.size(),
                seen.stream().map(l -> l.split(" ")[1]).distinct().count());
        assertThat(seen).as("launchers the scanner met").isNotEmpty();
        assertThat(seen).as("doors that opened (after SEEN pid)").allSatisfy(l -> assertThat(l.split(" ")).hasSize(2));
        assertThat(Launcher.jvmIsUndumpable()).as("the launching JVM itself").isTrue();
    }

    private long seen() throws Exception {
        return f.stdout().lines().filter(l -> l.startsWith("SEEN ")).count();
    }

    private <T> T onProbeThread(java.util.concurrent.Callable<T> task) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, probe).get();
    }
}
