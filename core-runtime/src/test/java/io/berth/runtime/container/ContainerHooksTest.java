package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.json.JsonValue;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;

/**
 * OCI hooks on real containers: each hook is the busybox fixture's sh, run on the host, appending
 * its name to an order file and keeping the state document it got on stdin.
 */
class ContainerHooksTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RuntimeFixture f = new RuntimeFixture();
    Path out;

    @BeforeEach
    void setUp() throws Exception {
        out = Files.createDirectories(dir.resolve("hook-out"));
    }

    /** A hook that records its name and its stdin, then runs {@code more} (a sh command). */
    private Spec.Hook hook(String name, String more) {
        return hook(name, more, null);
    }

    private Spec.Hook hook(String name, String more, Integer timeout) {
        String script = "cat > \"$OUT/" + name + ".json\"; echo " + name + " >> \"$OUT/order\"; " + more;
        return new Spec.Hook(BusyboxRootfs.path().resolve("bin/sh").toString(), List.of("sh", "-c", script),
                List.of("OUT=" + out, "HOOK_NAME=" + name), timeout);
    }

    private Path bundle(List<String> args, Spec.Hooks hooks) throws IOException {
        return Bundles.write(dir.resolve("bundle"), args, b -> b.hooks(hooks).annotation("io.berth.test", "hooks"));
    }

    private List<String> order() throws IOException {
        Path file = out.resolve("order");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private JsonValue stdinOf(String hook) throws IOException {
        return JsonValue.parse(Files.readAllBytes(out.resolve(hook + ".json"))).asObject();
    }

    @Test
    void everyHookPointRunsInOrderWithTheStateOnStdin() throws Exception {
        String cgroup = f.cgroupDir("pids", "h1").toString();
        String state = f.runtime.options().stateRoot().resolve("h1").toString();
        Spec.Hooks hooks = new Spec.Hooks(
                List.of(hook("prestart", "env > \"$OUT/prestart.env\"")),
                List.of(hook("createRuntime", ""), hook("createRuntime2", "")),
                null, null,
                List.of(hook("poststart", "")),
                List.of(hook("poststop", "test -e " + cgroup + " && echo cgroup-left >> \"$OUT/order\";"
                        + " test -e " + state + " && echo state-left >> \"$OUT/order\"; true")));
        Path bundle = bundle(List.of("sh", "-c", "echo ran"), hooks);

        Container c = f.runtime.create("h1", bundle, f.stdio());
        assertThat(order()).containsExactly("prestart", "createRuntime", "createRuntime2");
        assertThat(f.stdout()).as("the hooks ran before the process").isEmpty();
        for (String h : List.of("prestart", "createRuntime", "createRuntime2")) {
            JsonValue s = stdinOf(h);
            assertThat(s.string("id")).isEqualTo("h1");
            assertThat(s.string("status")).isEqualTo("created");
            assertThat(s.int32("pid")).isEqualTo(c.pid());
            assertThat(s.string("bundle")).isEqualTo(bundle.toString());
            assertThat(s.stringMap("annotations")).isEqualTo(Map.of("io.berth.test", "hooks"));
            assertThat(s.string("ociVersion")).isNotBlank();
        }
        // Exactly the hook's env: busybox sh adds only its own SHLVL, PATH and PWD.
        Set<String> names = Files.readAllLines(out.resolve("prestart.env")).stream()
                .map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
        names.removeAll(Set.of("SHLVL", "PATH", "PWD"));
        assertThat(names).containsExactlyInAnyOrder("OUT", "HOOK_NAME");

        f.runtime.start("h1");
        assertThat(order()).endsWith("poststart");
        assertThat(stdinOf("poststart").string("status")).isEqualTo("running");
        assertThat(stdinOf("poststart").int32("pid")).isEqualTo(c.pid());
        c.waitFor();
        assertThat(f.stdout()).isEqualTo("ran\n");

        f.runtime.delete("h1", false);
        assertThat(order()).as("poststop runs once the cgroup and the state are gone")
                .containsExactly("prestart", "createRuntime", "createRuntime2", "poststart", "poststop");
        assertThat(stdinOf("poststop").string("status")).isEqualTo("stopped");
        assertThat(stdinOf("poststop").string("id")).isEqualTo("h1");
        assertThat(f.warnings).isEmpty();
    }

    @Test
    void aFailingPrestartHookFailsCreateAndLeavesNothing() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(
                List.of(hook("prestart", "echo first line; echo 'no network for you' >&2; exit 7")),
                List.of(hook("createRuntime", "")), null, null, null, List.of(hook("poststop", "")));
        Path bundle = bundle(List.of("true"), hooks);

        assertThatThrownBy(() -> f.runtime.create("h2", bundle, f.stdio()))
                .isInstanceOf(ContainerException.class)
                .hasMessage("container h2: prestart hook 0 (" + BusyboxRootfs.path().resolve("bin/sh")
                        + ") failed: exit status 7: first line | no network for you");
        assertThat(order()).as("the hooks after the failing one do not run").containsExactly("prestart");
        int pid = stdinOf("prestart").int32("pid");
        assertThat(Path.of("/proc", Integer.toString(pid))).as("the container's process is gone").doesNotExist();
        assertThat(f.runtime.list()).isEmpty();
        assertThat(f.runtime.options().stateRoot().resolve("h2")).doesNotExist();
        assertThat(f.cgroupDir("pids", "h2")).doesNotExist();
        // The id is free again.
        Path ok = Bundles.write(dir.resolve("ok"), List.of("true"));
        f.runtime.create("h2", ok, f.stdio());
        f.runtime.delete("h2", true);
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndFailsCreate() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(null, List.of(hook("createRuntime", "echo waiting; exec sleep 60", 1)),
                null, null, null, null);
        Path bundle = bundle(List.of("true"), hooks);
        Instant begin = Instant.now();
        assertThatThrownBy(() -> f.runtime.create("h3", bundle, f.stdio()))
                .isInstanceOf(ContainerException.class)
                .hasMessageEndingWith("createRuntime hook 0 (" + BusyboxRootfs.path().resolve("bin/sh")
                        + ") failed: timed out after 1s and was killed: waiting");
        assertThat(Duration.between(begin, Instant.now())).isLessThan(Duration.ofSeconds(20));
        assertThat(f.runtime.list()).isEmpty();
        assertThat(f.cgroupDir("pids", "h3")).doesNotExist();
    }

    @Test
    void aHookThatCannotBeRunFailsCreateByName() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(null, List.of(new Spec.Hook(dir.resolve("no-such-hook").toString(), null, null, null)),
                null, null, null, null);
        Path bundle = bundle(List.of("true"), hooks);
        assertThatThrownBy(() -> f.runtime.create("h4", bundle, f.stdio()))
                .isInstanceOf(ContainerException.class)
                .hasMessage("container h4: createRuntime hook 0 (" + dir.resolve("no-such-hook") + ") failed: cannot run it: execve "
                        + dir.resolve("no-such-hook") + ": No such file or directory");
        assertThat(f.runtime.list()).isEmpty();
    }

    @Test
    void failingPoststartAndPoststopHooksWarnAndTheRestStillRun() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(null, null, null, null,
                List.of(hook("poststart1", "echo cannot >&2; exit 3"), hook("poststart2", "")),
                List.of(hook("poststop1", "exit 4"), hook("poststop2", "")));
        Path bundle = bundle(List.of("true"), hooks);
        Container c = f.runtime.create("h5", bundle, f.stdio());
        f.runtime.start("h5");
        c.waitFor();
        f.runtime.delete("h5", false);
        assertThat(order()).containsExactly("poststart1", "poststart2", "poststop1", "poststop2");
        assertThat(f.warnings).containsExactly(
                "container h5: poststart hook 0 (" + BusyboxRootfs.path().resolve("bin/sh") + ") failed: exit status 3: cannot",
                "container h5: poststop hook 0 (" + BusyboxRootfs.path().resolve("bin/sh") + ") failed: exit status 4");
        assertThat(f.runtime.list()).isEmpty();
    }

    @Test
    void startAndDeleteRunTheHooksOfCreateNotOfAChangedConfig() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(null, null, null, null, List.of(hook("poststart", "")), List.of(hook("poststop", "")));
        Path bundle = bundle(List.of("true"), hooks);
        Container c = f.runtime.create("h6", bundle, f.stdio());
        // runtime.md: updates to config.json after create must not affect the container.
        Spec changed = SpecJson.read(bundle.resolve("config.json"));
        Files.writeString(bundle.resolve("config.json"), SpecJson.write(changed.toBuilder().hooks(
                new Spec.Hooks(null, null, null, null, List.of(hook("other", "")), List.of(hook("other", "")))).build()));
        // A runtime of another process: it knows the container only by its stored state.
        try (ContainerRuntime other = new ContainerRuntime(f.runtime.options(), f.warnings::add)) {
            other.start("h6");
            c.waitFor();
            other.delete("h6", false);
        }
        assertThat(order()).containsExactly("poststart", "poststop");
    }

    @Test
    void deletingAContainerThatNeverStartedRunsPoststop() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(null, null, null, null, List.of(hook("poststart", "")), List.of(hook("poststop", "")));
        Path bundle = bundle(List.of("true"), hooks);
        f.runtime.create("h7", bundle, f.stdio());
        f.runtime.delete("h7", false);
        assertThat(order()).containsExactly("poststop");
        assertThat(stdinOf("poststop").string("status")).isEqualTo("stopped");
    }

    @Test
    void argsZeroIsArgvZeroAndTheHookRunsInTheBundle() throws Exception {
        // busybox picks its applet by argv[0]: "sh" here, though the path is the busybox binary.
        Spec.Hook applet = new Spec.Hook(BusyboxRootfs.path().resolve("bin/busybox").toString(),
                List.of("sh", "-c", "echo \"$0\" > \"$OUT/argv0\"; pwd > \"$OUT/cwd\""), List.of("OUT=" + out), 10);
        Path bundle = bundle(List.of("true"), new Spec.Hooks(null, List.of(applet), null, null, null, null));
        f.runtime.create("h8", bundle, f.stdio());
        assertThat(Files.readString(out.resolve("argv0"))).isEqualTo("sh\n");
        assertThat(Files.readString(out.resolve("cwd"))).isEqualTo(bundle + "\n");
        f.runtime.delete("h8", true);
    }

    @Test
    void hooksLeakNoFdsTempFilesOrProcesses() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(List.of(hook("prestart", "")), null, null, null,
                List.of(hook("poststart", "exit 1")), List.of(hook("poststop", "")));
        Path good = bundle(List.of("true"), hooks);
        Path timingOut = Bundles.write(dir.resolve("slow"), List.of("true"), b -> b.hooks(
                new Spec.Hooks(null, List.of(hook("slow", "exec sleep 60", 1)), null, null, null, null)));
        hookCycle(good, "warmup");
        LeakSnapshot before = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        List<Path> tempBefore = hookTempFiles();
        for (int i = 0; i < 5; i++) {
            hookCycle(good, "l" + i);
        }
        assertThatThrownBy(() -> f.runtime.create("slow", timingOut, f.stdio())).hasMessageContaining("timed out");
        LeakSnapshot after = LeakSnapshot.take(f.cgroupParent, f.runtime.options().stateRoot());
        assertThat(after.fds()).as("open fds").isSubsetOf(before.fds());
        assertThat(after.children()).as("children").isEqualTo(before.children());
        assertThat(LeakSnapshot.zombieChildren()).as("zombies").isZero();
        assertThat(after.stateDirs()).as("state").isEmpty();
        assertThat(hookTempFiles()).as("temp files").isEqualTo(tempBefore);
    }

    private void hookCycle(Path bundle, String id) {
        Container c = f.runtime.create(id, bundle, f.stdio());
        f.runtime.start(id);
        c.waitFor();
        f.runtime.delete(id, false);
    }

    private static List<Path> hookTempFiles() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("berth-hook")).sorted().toList();
        }
    }

    @Test
    void poststartFromAnotherProcessRunsOnceTheContainerExecd() throws Exception {
        // The hook reads the container's pid from its stdin and records what that process runs.
        // (The window between the FIFO byte and the exec is short, so without start's wait this
        // check fails only now and then: it guards the property, it cannot force the race.)
        Spec.Hook exe = new Spec.Hook(BusyboxRootfs.path().resolve("bin/sh").toString(), List.of("sh", "-c",
                "pid=$(sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/'); readlink /proc/$pid/exe > \"$OUT/exe\""), List.of("OUT=" + out), 10);
        Path bundle = bundle(List.of("sleep", "30"), new Spec.Hooks(null, null, null, null, List.of(exe), null));
        f.runtime.create("h9", bundle, f.stdio());
        try (ContainerRuntime other = new ContainerRuntime(f.runtime.options(), f.warnings::add)) {
            other.start("h9");
            assertThat(Files.readString(out.resolve("exe")).strip()).as("the container's image, not the JVM's")
                    .endsWith("/busybox").doesNotContain("java");
            other.delete("h9", true);
        }
        assertThat(f.warnings).isEmpty();
    }

    @Test
    void aDamagedHooksFileFailsStartByNameButNotDelete() throws Exception {
        Path bundle = bundle(List.of("true"), new Spec.Hooks(null, null, null, null, List.of(hook("poststart", "")),
                List.of(hook("poststop", ""))));
        f.runtime.create("h10", bundle, f.stdio());
        Path hooksFile = f.runtime.options().stateRoot().resolve("h10").resolve("hooks.json");
        Files.writeString(hooksFile, "{\"poststop\":[{\"path\":");
        assertThatThrownBy(() -> f.runtime.start("h10")).isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("the hooks of container 'h10' cannot be read from " + hooksFile + " (")
                .hasMessageEndingWith("): delete the container (its poststop hooks will not run)");
        f.runtime.delete("h10", false);
        assertThat(f.runtime.list()).isEmpty();
        assertThat(f.warnings).singleElement().asString().startsWith("container h10: poststop hooks not run: the hooks of container 'h10'");
        assertThat(order()).isEmpty();
    }

    @Test
    void aChattyFailingHookIsQuotedOnlyInPart() throws Exception {
        Spec.Hooks hooks = new Spec.Hooks(List.of(hook("prestart", "yes 0123456789 | head -c 1000000; exit 2")), null, null, null, null, null);
        Path bundle = bundle(List.of("true"), hooks);
        assertThatThrownBy(() -> f.runtime.create("h11", bundle, f.stdio()))
                .hasMessageContaining("failed: exit status 2: 0123456789 | 0123456789")
                .hasMessageEndingWith("...")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(3000));
    }
}
