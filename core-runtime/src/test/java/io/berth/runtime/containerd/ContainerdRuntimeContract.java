package io.berth.runtime.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.Requirements;

/**
 * What containerd 1.6 needs from a runc-compatible runtime binary, driven the way a user (or the
 * kubelet through CRI) drives it: {@code ctr run --runc-binary BIN}. The shim
 * (containerd-shim-runc-v2) turns these into {@code create/start/state/exec/ps/kill/delete}
 * calls on BIN. Subclasses name the binary; everything else is shared, so a runtime passes
 * exactly the checks runc passes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerdRuntimeContract {
    static final String MEMORY_LIMIT = "33554432";
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    LocalContainerd containerd;
    String image;
    Path binary;
    /** Containers a test created; removed after each test whether it passed or not. */
    private final List<String> created = new ArrayList<>();

    /** The runtime binary under test, as an absolute path; may skip the class if it is missing. */
    abstract Path runtimeBinary();

    /** One daemon per class: starting containerd and importing the image is most of the cost. */
    @BeforeAll
    void startContainerd(@TempDir Path tmp) {
        binary = runtimeBinary();
        assertThat(binary).as("runtime binary").isAbsolute();
        containerd = LocalContainerd.start(tmp);
        image = BusyboxImage.importInto(containerd, tmp);
    }

    @AfterAll
    void stopContainerd() {
        if (containerd != null) {
            containerd.close();
        }
    }

    @AfterEach
    void removeContainers() {
        for (String id : created) {
            containerd.ctr("tasks", "kill", "-a", "-s", "SIGKILL", id);
            containerd.ctr("tasks", "delete", "-f", id);
            containerd.ctr("containers", "rm", id);
        }
        created.clear();
    }

    @Test
    void runPrintsTheOutputAndRemovesTheContainer() {
        String id = newId();
        CtrResult r = containerd.ctrOk(run(List.of("--rm"), id, "echo", "hi"));

        assertThat(r.stdout()).as(r.describe()).isEqualTo("hi\n");
        assertThat(lines(containerd.ctrOk("containers", "ls", "-q"))).doesNotContain(id);
        assertThat(Files.exists(containerd.runtimeRoot().resolve(id))).as("runtime state after --rm").isFalse();
    }

    @Test
    void runReturnsTheProcessExitCode() {
        CtrResult r = containerd.ctr(run(List.of("--rm"), newId(), "sh", "-c", "echo bye >&2; exit 3"));

        assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
        assertThat(r.stderr()).contains("bye");
    }

    @Test
    void detachedTaskCanBeExecListedKilledAndDeleted() throws IOException {
        String id = newId();
        // PID 1 ignores SIGTERM unless it handles it: the trap makes the kill observable as 42.
        containerd.ctrOk(run(List.of("-d"), id, "sh", "-c", "trap 'exit 42' TERM; while true; do sleep 0.1; done"));
        long pid = awaitStatus(id, "RUNNING");

        CtrResult state = runtime("state", id);
        assertThat(state.exitCode()).as(state.describe()).isZero();
        assertThat(state.stdout()).as("runtime state").contains("\"running\"").containsPattern("\"pid\":\\s*" + pid + "\\b");

        CtrResult inside = containerd.ctrOk(exec("e1", false, id, "echo", "inside"));
        assertThat(inside.stdout()).isEqualTo("inside\n");

        CtrResult failing = containerd.ctr(exec("e2", false, id, "sh", "-c", "exit 7"));
        assertThat(failing.exitCode()).as(failing.describe()).isEqualTo(7);

        // Same PID namespace as init: the exec'd process sees PID 1 as the container's shell.
        CtrResult pid1 = containerd.ctrOk(exec("e3", false, id, "cat", "/proc/1/cmdline"));
        assertThat(pid1.stdout()).startsWith("sh\0-c\0trap");

        containerd.ctrOk(exec("e4", true, id, "sleep", "300"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Long> pids = psPids(id);
            assertThat(pids).contains(pid);
            assertThat(pids.stream().map(ContainerdRuntimeContract::cmdline))
                    .as("task ps lists the detached exec").contains("sleep 300");
        });

        containerd.ctrOk("tasks", "kill", id);
        awaitStatus(id, "STOPPED");
        CtrResult deleted = containerd.ctrOk("tasks", "delete", id);
        assertThat(deleted.stdout() + deleted.stderr()).as(deleted.describe()).contains("exit code 42");

        assertThat(lines(containerd.ctrOk("tasks", "ls", "-q"))).doesNotContain(id);
        assertThat(containerd.shimSocket(id)).as("shim socket after delete").doesNotExist();
        CtrResult gone = runtime("state", id);
        assertThat(gone.exitCode()).as("runtime state after delete: " + gone.describe()).isNotZero();
        // The shim deletes twice (delete, then delete --force) and ignores a failure only when the
        // runtime's message says "does not exist" (containerd pkg/process): both must hold.
        CtrResult again = runtime("delete", id);
        assertThat(again.exitCode()).as(again.describe()).isNotZero();
        assertThat(again.stderr()).as(again.describe()).contains("does not exist");
        CtrResult forced = runtime("delete", "--force", id);
        assertThat(forced.exitCode()).as(forced.describe()).isZero();
        assertThat(ProcessHandle.of(pid).filter(LocalContainerd::isRunning)).as("init process after delete").isEmpty();
    }

    @Test
    void ttyRunGetsATerminal() {
        // ctr run --tty puts its own stdin in raw mode and fails without a terminal: script(1) gives it one.
        // The runtime gets --console-socket and must send the pty master back over it.
        String id = newId();
        CtrResult r = inTerminal(containerd.ctrCommand(run(List.of("--rm", "--tty"), id, "sh", "-c",
                "tty; test -t 0 && test -t 1 && echo both-tty")));

        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).contains("/dev/pts/", "both-tty");

        CtrResult plain = containerd.ctrOk(run(List.of("--rm"), newId(), "sh", "-c", "test -t 1 || echo not-a-tty"));
        assertThat(plain.stdout()).as("the same check without --tty").isEqualTo("not-a-tty\n");
    }

    @Test
    void ttyExecGetsATerminal() {
        // kubectl exec -it: the runtime's exec gets --tty --console-socket.
        String id = newId();
        containerd.ctrOk(run(List.of("-d"), id, "sleep", "300"));
        awaitStatus(id, "RUNNING");
        List<String> exec = new ArrayList<>(List.of(exec("t1", false, id, "sh", "-c", "tty; test -t 0 && echo exec-tty")));
        exec.add(exec.indexOf("--exec-id"), "--tty");

        CtrResult r = inTerminal(containerd.ctrCommand(exec.toArray(String[]::new)));

        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).contains("/dev/pts/", "exec-tty");
    }

    @Test
    void memoryLimitLandsInTheContainersCgroup() throws IOException {
        String id = newId();
        containerd.ctrOk(run(List.of("-d", "--memory-limit", MEMORY_LIMIT), id, "sleep", "300"));
        awaitStatus(id, "RUNNING");

        Path limitFile = memoryLimitFile(containerd.cgroupPath(id));
        assertThat(Files.readString(limitFile).trim()).as(limitFile.toString()).isEqualTo(MEMORY_LIMIT);

        CtrResult metrics = containerd.ctrOk("tasks", "metrics", id);
        assertThat(metrics.stdout()).as(metrics.describe())
                .containsPattern("memory\\.(limit_in_bytes|max)\\s+" + MEMORY_LIMIT + "\\b");
    }

    /**
     * A pod's containers share the sandbox's namespaces: containerd's CRI writes them into
     * config.json as linux.namespaces paths, as {@code ctr run --with-ns} does here.
     */
    @Test
    void secondContainerJoinsTheFirstsNetworkIpcAndUtsNamespacesByPath() throws IOException {
        String sandbox = newId();
        containerd.ctrOk(run(List.of("-d"), sandbox, "sleep", "300"));
        long sandboxPid = awaitStatus(sandbox, "RUNNING");
        String member = newId();
        List<String> withNs = new ArrayList<>();
        for (String[] ns : new String[][] {{"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}}) {
            withNs.addAll(List.of("--with-ns", ns[0] + ":/proc/" + sandboxPid + "/ns/" + ns[1]));
        }
        withNs.add("-d");
        containerd.ctrOk(run(withNs, member, "sleep", "300"));
        long memberPid = awaitStatus(member, "RUNNING");

        for (String ns : List.of("net", "ipc", "uts")) {
            assertThat(nsLink(memberPid, ns)).as(ns).isEqualTo(nsLink(sandboxPid, ns));
        }
        assertThat(nsLink(memberPid, "mnt")).as("mnt is its own").isNotEqualTo(nsLink(sandboxPid, "mnt"));
        assertThat(nsLink(memberPid, "pid")).as("pid is its own").isNotEqualTo(nsLink(sandboxPid, "pid"));
    }

    private static String nsLink(long pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
    }

    /**
     * {@code ctr run [flags] IMAGE ID COMMAND...} with the snapshotter and the runtime binary under
     * test.
     */
    String[] run(List<String> flags, String id, String... command) {
        List<String> cmd = new ArrayList<>(List.of("run", "--snapshotter", containerd.snapshotter(),
                "--fifo-dir", containerd.fifoDir().toString(), "--runc-binary", binary.toString()));
        cmd.addAll(flags);
        cmd.add(image);
        cmd.add(id);
        cmd.addAll(List.of(command));
        return cmd.toArray(String[]::new);
    }

    /** {@code ctr tasks exec [--detach] --exec-id EXEC_ID ID COMMAND...}, its FIFOs in our directory. */
    String[] exec(String execId, boolean detach, String id, String... command) {
        List<String> cmd = new ArrayList<>(List.of("tasks", "exec", "--fifo-dir", containerd.fifoDir().toString()));
        if (detach) {
            cmd.add("--detach");
        }
        cmd.addAll(List.of("--exec-id", execId, id));
        cmd.addAll(List.of(command));
        return cmd.toArray(String[]::new);
    }

    /** The runtime binary itself, on the state root the shim gave it. */
    CtrResult runtime(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--root", containerd.runtimeRoot().toString()));
        cmd.addAll(List.of(args));
        return LocalContainerd.run(cmd, Duration.ofSeconds(30));
    }

    String newId() {
        String id = "c-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        created.add(id);
        return id;
    }

    /** Waits for the task's status in {@code ctr tasks ls} and returns its PID. */
    long awaitStatus(String id, String status) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> taskRow(id).filter(row -> row[2].equals(status)).map(row -> Long.parseLong(row[1])),
                        Optional::isPresent)
                .orElseThrow();
    }

    private Optional<String[]> taskRow(String id) {
        // TASK PID STATUS
        return lines(containerd.ctrOk("tasks", "ls")).stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length == 3 && f[0].equals(id))
                .findFirst();
    }

    private List<Long> psPids(String id) {
        // PID INFO
        return lines(containerd.ctrOk("tasks", "ps", id)).stream().skip(1)
                .map(l -> l.trim().split("\\s+")[0])
                .filter(s -> s.chars().allMatch(Character::isDigit) && !s.isEmpty())
                .map(Long::parseLong)
                .toList();
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    static Path memoryLimitFile(String cgroupPath) {
        String relative = cgroupPath.substring(1);
        if (Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"))) {
            return CGROUP_ROOT.resolve(relative).resolve("memory.max");
        }
        return CGROUP_ROOT.resolve("memory").resolve(relative).resolve("memory.limit_in_bytes");
    }

    static List<String> lines(CtrResult r) {
        return r.stdout().lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Runs {@code argv} on a new pseudo-terminal (script(1) from util-linux) and collects what it printed. */
    static CtrResult inTerminal(List<String> argv) {
        Path script = Requirements.command("script", "util-linux");
        return LocalContainerd.run(List.of(script.toString(), "-qec", shellQuote(argv), "/dev/null"), Duration.ofSeconds(60));
    }

    /** One shell word per argument, for script(1), which takes a single command string. */
    static String shellQuote(List<String> argv) {
        return argv.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }
}
