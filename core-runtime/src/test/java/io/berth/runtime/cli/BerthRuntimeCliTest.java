package io.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.cgroup.Cgroups;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * berth-runtime's commands, run in this JVM as a separate CLI process would run them: each call
 * builds its own runtime, so start, state, kill and delete go through the records and the exec
 * FIFO, not through objects this JVM holds.
 */
class BerthRuntimeCliTest {
    @TempDir
    Path dir;
    Path root;
    Path bundle;
    Path log;
    String cgroupsPath;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("state");
        bundle = Files.createDirectories(dir.resolve("bundle"));
        log = dir.resolve("log.json");
        cgroupsPath = "/berth-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        if (Files.isDirectory(root)) {
            for (String id : List.of("c1", "c2", "c3")) {
                cli("delete", "--force", id);
            }
        }
        if (Requirements.isRoot()) {
            Cgroups.open(cgroupsPath).destroy();
        }
    }

    private Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--log", log.toString(), "--log-format", "json"));
        all.addAll(List.of(args));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = BerthRuntime.execute(all.toArray(String[]::new));
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** berth-runtime spec, then point it at the busybox fixture and our own cgroup. */
    private void spec(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("spec", "--bundle", bundle.toString(), "--rootfs", BusyboxRootfs.path().toString(), "--"));
        a.addAll(List.of(args));
        assertThat(cli(a.toArray(String[]::new)).code()).isZero();
        Spec s = SpecJson.read(bundle.resolve("config.json"));
        Spec withCgroup = s.toBuilder().cgroupsPath(cgroupsPath + "/" + UUID.randomUUID()).build();
        Files.writeString(bundle.resolve("config.json"), SpecJson.write(withCgroup));
    }

    @Test
    void specWritesDockersCapabilitiesAndRefusesToOverwrite() throws Exception {
        assertThat(cli("spec", "--bundle", bundle.toString()).code()).isZero();
        Spec s = SpecJson.read(bundle.resolve("config.json"));
        assertThat(s.process().capabilities().effective()).hasSize(14).contains("CAP_NET_RAW", "CAP_SYS_CHROOT");
        assertThat(s.process().args()).containsExactly("sh");
        Result again = cli("spec", "--bundle", bundle.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("config.json exists: remove it first");
    }

    @Test
    void runExitsWithTheContainersCodeAndDeletesIt() throws Exception {
        Requirements.root();
        spec("sh", "-c", "exit 7");
        Result r = cli("run", "--bundle", bundle.toString(), "c1");
        assertThat(r.code()).isEqualTo(7);
        assertThat(cli("list", "-q").out()).isEmpty();
    }

    @Test
    void createStartStateKillDeleteAcrossInvocations() throws Exception {
        Requirements.root();
        spec("sleep", "60");
        Path pidFile = dir.resolve("pid");
        assertThat(cli("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c2").code()).isZero();
        int pid = Integer.parseInt(Files.readString(pidFile));
        assertThat(cli("state", "c2").out()).contains("\"status\": \"created\"").contains("\"pid\": " + pid);
        assertThat(cli("start", "c2").code()).isZero();
        assertThat(cli("state", "c2").out()).contains("\"status\": \"running\"");
        assertThat(cli("ps", "--format", "json", "c2").out().trim()).isEqualTo("[" + pid + "]");
        assertThat(cli("pause", "c2").code()).isZero();
        assertThat(cli("state", "c2").out()).contains("\"status\": \"paused\"");
        assertThat(cli("resume", "c2").code()).isZero();
        Result refused = cli("delete", "c2");
        assertThat(refused.code()).isEqualTo(1);
        // The CLI's words for the library's remedy: its own flag, not a Java call.
        assertThat(refused.err()).contains("it is running; stop it first or use --force").doesNotContain("ContainerRuntime");
        assertThat(cli("kill", "c2", "KILL").code()).isZero();
        org.awaitility.Awaitility.await().until(() -> cli("state", "c2").out().contains("\"status\": \"stopped\""));
        assertThat(cli("delete", "c2").code()).isZero();
        assertThat(cli("state", "c2").err()).contains("container 'c2' does not exist");
    }

    @Test
    void execEnvReplacesTheContainersVariableAndBadOverridesAreOneLine() throws Exception {
        Requirements.root();
        spec("sleep", "60");
        assertThat(cli("run", "--detach", "--bundle", bundle.toString(), "c3").code()).isZero();
        // runc: the last NAME= wins. The shell's own environ (what execve gave it, before sh dedups
        // its variables) holds PATH once, with the new value.
        Result replaced = cli("exec", "--env", "PATH=/bin:/sbin", "--env", "EXTRA=1", "c3", "sh", "-c",
                "[ \"$(tr '\\0' '\\n' < /proc/$$/environ | grep ^PATH=)\" = PATH=/bin:/sbin ] && [ \"$EXTRA\" = 1 ]");
        assertThat(replaced.code()).as(replaced.err()).isZero();
        Result badEnv = cli("exec", "--env", "NOEQUALS", "c3", "true");
        assertThat(badEnv.code()).isEqualTo(1);
        assertThat(badEnv.err()).isEqualTo("berth-runtime: --env 'NOEQUALS' is not NAME=value: give e.g. --env PATH=/bin\n");
        Result badCwd = cli("exec", "--cwd", "tmp", "c3", "true");
        assertThat(badCwd.code()).isEqualTo(1);
        assertThat(badCwd.err()).startsWith("berth-runtime: cwd 'tmp' is not absolute").doesNotContain("\n\t");
        Result badUser = cli("exec", "--user", "root", "c3", "true");
        assertThat(badUser.err()).isEqualTo("berth-runtime: --user 'root' is not uid[:gid] with numbers\n");
    }

    @Test
    void errorsAreOneLineOnStderrAndJsonInTheLog() throws Exception {
        Result r = cli("state", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("berth-runtime: container 'nope' does not exist");
        assertThat(Files.readString(log)).startsWith("{\"level\":\"error\",\"msg\":\"container 'nope' does not exist\",\"time\":\"");
        assertThat(cli("delete", "nope").code()).as("plain delete of a missing container").isEqualTo(1);
        assertThat(cli("delete", "--force", "nope").code()).as("--force: gone is what was asked").isZero();
        Result systemd = cli("--systemd-cgroup", "state", "nope");
        assertThat(systemd.err()).contains("--systemd-cgroup is not supported by berth-runtime yet");
        Result badSignal = cli("kill", "nope", "SIGFOO");
        assertThat(badSignal.code()).isEqualTo(1);
        assertThat(badSignal.err()).contains("unknown signal \"SIGFOO\"");
    }

    @Test
    void createOfABadBundleFailsAndLeavesNoState() throws Exception {
        Requirements.root();
        spec("/bin/nope");
        Result r = cli("create", "--bundle", bundle.toString(), "c3");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("/bin/nope: No such file or directory");
        try (var s = Files.list(root)) {
            assertThat(s).isEmpty();
        }
    }
    @Test
    void hooksRunAcrossInvocationsAndAFailingPoststartIsAWarning() throws Exception {
        Requirements.root();
        spec("true");
        Path out = Files.createDirectories(dir.resolve("hook-out"));
        String sh = BusyboxRootfs.path().resolve("bin/sh").toString();
        java.util.function.BiFunction<String, String, Spec.Hook> hook = (name, more) -> new Spec.Hook(sh,
                List.of("sh", "-c", "read -r state; echo \"" + name + " $state\" >> \"$OUT/order\"; " + more), List.of("OUT=" + out), null);
        Spec s = SpecJson.read(bundle.resolve("config.json"));
        Spec.Hooks hooks = new Spec.Hooks(null, List.of(hook.apply("createRuntime", "")), null, null,
                List.of(hook.apply("poststart1", "echo no such network >&2; exit 1"), hook.apply("poststart2", "")),
                List.of(hook.apply("poststop", "")));
        Files.writeString(bundle.resolve("config.json"), SpecJson.write(s.toBuilder().hooks(hooks).build()));

        assertThat(cli("create", "--bundle", bundle.toString(), "c1").code()).isZero();
        assertThat(Files.readAllLines(out.resolve("order"))).singleElement().asString()
                .startsWith("createRuntime {").contains("\"id\":\"c1\"", "\"status\":\"created\"");
        Result start = cli("start", "c1");
        assertThat(start.code()).as("a failing poststart hook does not fail start").isZero();
        assertThat(start.err().strip()).isEqualTo("berth-runtime: warning: container c1: poststart hook 0 (" + sh
                + ") failed: exit status 1: no such network");
        assertThat(Files.readString(log)).startsWith("{\"level\":\"warning\",\"msg\":\"container c1: poststart hook 0 (");
        org.awaitility.Awaitility.await().until(() -> cli("state", "c1").out().contains("\"status\": \"stopped\""));
        Result delete = cli("delete", "c1");
        assertThat(delete.code()).isZero();
        assertThat(delete.err()).isEmpty();
        List<String> order = Files.readAllLines(out.resolve("order"));
        assertThat(order).extracting(l -> l.substring(0, l.indexOf(' ')))
                .containsExactly("createRuntime", "poststart1", "poststart2", "poststop");
        assertThat(order.get(2)).contains("\"status\":\"running\"");
        assertThat(order.get(3)).contains("\"status\":\"stopped\"");
    }
}
