package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.cli.BerthRuntime;
import io.berth.runtime.linux.ExitWatcher;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.oci.Spec;

/** Exits learned through the JVM's one exit watcher: created, exec'd and adopted processes. */
class ContainerExitTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();

    @Test
    void aHundredContainersAreWatchedByOneThread() throws Exception {
        ExitWatcher.shared(); // its two threads exist before the count
        Path sleeper = Bundles.write(dir.resolve("sleep"), List.of("sleep", "600"));
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Container> sleeping = new ArrayList<>();
        List<CompletableFuture<ExitResult>> exits = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Container c = f.runtime.create("s" + i, sleeper, f.stdio());
            f.runtime.start(c.id());
            sleeping.add(c);
            exits.add(c.onExit());
        }
        // Ten more exit by themselves, each with its own code, while the hundred are watched.
        List<CompletableFuture<ExitResult>> coded = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Container c = f.runtime.create("e" + i, Bundles.write(dir.resolve("e" + i), List.of("sh", "-c", "exit " + (i + 1))), f.stdio());
            coded.add(c.onExit());
            f.runtime.start(c.id());
        }
        for (int i = 0; i < 10; i++) {
            ExitResult r = coded.get(i).get(30, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isEqualTo(i + 1);
            assertThat(r.reason()).isEqualTo("Error");
        }
        assertThat(exits).noneMatch(CompletableFuture::isDone);
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore)
                .as("threads added while 110 containers were watched").isLessThanOrEqualTo(2);

        for (Container c : sleeping) {
            f.runtime.kill(c.id(), Signals.SIGKILL, false);
        }
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<ExitResult> e : exits) {
            assertThat(e.join()).isEqualTo(new ExitResult(137, "SIGKILL", false));
        }
        assertThat(LeakSnapshot.zombieChildren()).as("every one reaped by the watcher").isZero();
        for (Container c : sleeping) {
            assertThat(f.runtime.state(c.id()).status()).isEqualTo(ContainerStatus.STOPPED);
        }
    }

    @Test
    void waitForIsTheSameFutureAndEachCallerGetsItsOwnCopy() throws Exception {
        Container c = f.runtime.create("c1", Bundles.write(dir.resolve("b"), List.of("sh", "-c", "exit 5")), f.stdio());
        CompletableFuture<ExitResult> mine = c.onExit();
        mine.cancel(false); // a caller cancelling its copy changes nobody else's
        f.runtime.start("c1");
        assertThat(c.waitFor().exitCode()).isEqualTo(5);
        assertThat(c.onExit().get(10, TimeUnit.SECONDS).exitCode()).isEqualTo(5);
    }

    @Test
    void onExitBeforeReapKeepsTheZombieUntilReap() throws Exception {
        Container c = f.runtime.create("c1", Bundles.write(dir.resolve("b"), List.of("sh", "-c", "exit 7")), f.stdio());
        CompletableFuture<ExitResult> peeked = c.onExitBeforeReap();
        CompletableFuture<ExitResult> reaped = c.onExit();
        f.runtime.start("c1");
        assertThat(peeked.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(7);
        assertThat(state(c.pid())).as("still a zombie: its pid cannot be reused").isEqualTo("Z");
        assertThat(c.identity().exists()).isTrue();
        assertThat(f.runtime.state("c1").status()).isEqualTo(ContainerStatus.STOPPED);
        Thread.sleep(100);
        assertThat(reaped).as("not reaped before reap()").isNotDone();

        assertThat(c.reap().exitCode()).isEqualTo(7);
        assertThat(reaped.get(10, TimeUnit.SECONDS).exitCode()).isEqualTo(7);
        assertThat(c.identity().exists()).isFalse();
        assertThat(c.reap().exitCode()).as("a second reap is a no-op").isEqualTo(7);
    }

    @Test
    void reapRefusesARunningContainerAndDeleteReapsAHeldZombie() throws Exception {
        Container c = f.runtime.create("c1", Bundles.write(dir.resolve("b"), List.of("sleep", "600")), f.stdio());
        CompletableFuture<ExitResult> peeked = c.onExitBeforeReap();
        f.runtime.start("c1");
        assertThatThrownBy(c::reap).isInstanceOf(ContainerException.class)
                .hasMessage("cannot reap container c1: its process " + c.pid() + " is still running");
        f.runtime.delete("c1", true);
        assertThat(peeked.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitResult(137, "SIGKILL", false));
        assertThat(c.onExit().get(10, TimeUnit.SECONDS).exitCode()).isEqualTo(137);
        assertThat(LeakSnapshot.zombieChildren()).isZero();
    }

    @Test
    void execProcessesExitThroughTheWatcherToo() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "600"));
        Container c = f.runtime.create("c1", bundle, f.stdio());
        f.runtime.start("c1");
        Spec.Process s = io.berth.runtime.oci.SpecJson.read(bundle.resolve("config.json")).process();
        Spec.Process p = new Spec.Process(false, null, s.user(), List.of("sh", "-c", "exit 4"), null, s.env(), "/",
                s.capabilities(), s.rlimits(), true, null, null, null, null, null, null);
        try (ExecProcess e = f.runtime.exec("c1", p, f.stdio(), false)) {
            assertThat(e.onExit().get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(4);
        }
        assertThat(c.onExit()).isNotDone();
    }

    @Test
    void theOomVerdictIsUnknownWhenTheCounterCannotBeRead() throws Exception {
        Container c = f.runtime.create("c1", Bundles.write(dir.resolve("b"), List.of("sh", "-c", "exit 0")), f.stdio());
        f.runtime.start("c1");
        // Nobody asked yet, so nothing reaped it: the zombie waits while its (now empty) cgroup goes.
        org.awaitility.Awaitility.await().until(() -> !c.identity().isAlive());
        Cgroups.open(c.record().cgroupsPath()).destroy();
        ExitResult r = c.waitFor();
        assertThat(r.exitCode()).isZero();
        assertThat(r.oomKilled()).isFalse();
        assertThat(r.unknown()).startsWith("whether the OOM killer ended it is unknown: ");
        assertThat(r.describe()).startsWith("exited with code 0 (whether the OOM killer ended it is unknown: ");
    }

    @Test
    void adoptingAContainerOfAnotherProcessSeesItsExitButNotItsCode() throws Exception {
        Path bundle = Bundles.write(dir.resolve("b"), List.of("sleep", "600"), s -> s.cgroupsPath(f.cgroupParent + "/a1"));
        // Created by another JVM, which exits: the container is then not this JVM's child.
        Process cli = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                BerthRuntime.class.getName(), "--root", f.runtime.options().stateRoot().toString(), "create", "--bundle", bundle.toString(), "a1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("cli.out").toFile()).start();
        // A file, not a pipe: the container inherits the CLI's stdout and would hold a pipe open.
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as(Files.readString(dir.resolve("cli.out"))).isZero();
        f.runtime.start("a1");
        ProcessIdentity identity;
        try (AdoptedContainer a = f.runtime.adopt("a1")) {
            identity = a.identity();
            assertThat(a.identity().pid()).isEqualTo(f.runtime.state("a1").pid());
            CompletableFuture<ExitResult> exit = a.onExit();
            assertThat(exit).isNotDone();
            assertThat(a.signal(Signals.SIGKILL)).isTrue();
            ExitResult r = exit.get(30, TimeUnit.SECONDS);
            assertThat(r.codeKnown()).isFalse();
            assertThat(r.exitCode()).isEqualTo(ExitResult.UNKNOWN_CODE);
            assertThat(r.reason()).isEqualTo("Unknown");
            assertThat(r.unknown()).isEqualTo("process " + a.identity().pid()
                    + " is not a child of this process, so its exit status went to its parent");
        }
        // Adopted after it was gone: the future is complete at once.
        org.awaitility.Awaitility.await().until(() -> !identity.exists());
        try (AdoptedContainer late = f.runtime.adopt("a1")) {
            assertThat(late.onExit().getNow(null).unknown()).isEqualTo("its process " + late.identity().pid()
                    + " had exited before it was adopted, and its status went to its parent");
        }
        f.runtime.delete("a1", false);
    }

    @Test
    void adoptingAChildOfThisJvmReportsTheCode() throws Exception {
        Container c = f.runtime.create("c1", Bundles.write(dir.resolve("b"), List.of("sleep", "600")), f.stdio());
        f.runtime.start("c1");
        assertThatThrownBy(() -> f.runtime.adopt("c1")).isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("container c1 was created by this runtime: use the Container that create returned");
        // A second runtime over the same state root (a restarted daemon would be a new JVM).
        try (ContainerRuntime other = new ContainerRuntime(f.runtime.options());
                AdoptedContainer a = other.adopt("c1")) {
            assertThat(a.identity()).isEqualTo(c.identity());
            f.runtime.kill("c1", Signals.SIGKILL, false);
            ExitResult r = a.onExit().get(30, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new ExitResult(137, "SIGKILL", false));
        }
    }

    private static String state(int pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        return s.substring(s.lastIndexOf(')') + 2).split(" ")[0];
    }
}
