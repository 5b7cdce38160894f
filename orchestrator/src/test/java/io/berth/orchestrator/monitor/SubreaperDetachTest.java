package io.berth.orchestrator.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * berth-subreaper with BERTH_SUBREAPER_DETACH=1, as the systemd unit runs it: the process started
 * (the unit's main process) exits with the daemon's status as soon as the daemon is gone, passing a
 * stop signal on to it first, while the subreaper stays and records the exits of what the daemon
 * left running. Here the "daemon" is a shell that leaves a sleep behind, as the JVM leaves containers.
 */
class SubreaperDetachTest {

    private final List<Long> leftovers = new ArrayList<>();
    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        for (long pid : leftovers) {
            var left = ProcessHandle.of(pid);
            var subreaper = left.flatMap(ProcessHandle::parent);
            left.ifPresent(ProcessHandle::destroyForcibly);
            // the subreaper writes that exit down, then goes: only then is the directory still
            subreaper.ifPresent(p -> Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !p.isAlive()));
        }
        if (dir != null) {
            io.berth.testkit.BusyboxRootfs.deleteTree(dir);
        }
    }

    private Process start(String script) throws Exception {
        Path exits = Files.createDirectories(dir.resolve("exits"));
        ProcessBuilder pb = new ProcessBuilder(Subreaper.command(dir.resolve("bin"), exits, List.of("sh", "-c", script)))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        pb.environment().put("BERTH_SUBREAPER_DETACH", "1");
        return pb.start();
    }

    private long leftBehind() throws Exception {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(dir.resolve("pid")) && !Files.readString(dir.resolve("pid")).isBlank());
        long pid = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
        leftovers.add(pid);
        return pid;
    }

    @Test
    void theFrontExitsWithTheDaemonWhileTheSubreaperKeepsTheExitsOfWhatItLeft() throws Exception {
        dir = Files.createTempDirectory("berth-subreaper-test");
        long started = System.nanoTime();
        Process front = start("sleep 300 & echo $! > " + dir.resolve("pid") + "; exit 3");
        assertThat(front.waitFor(10, TimeUnit.SECONDS)).as("the front waits for the daemon, not for what it left").isTrue();
        assertThat(front.exitValue()).isEqualTo(3);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5000);
        long sleeper = leftBehind();
        ProcessHandle sleep = ProcessHandle.of(sleeper).orElseThrow();
        ProcessHandle subreaper = sleep.parent().orElseThrow();
        assertThat(subreaper.info().command().orElse("")).endsWith(NativeBinaries.SUBREAPER);
        assertThat(subreaper.pid()).isNotEqualTo(front.pid());
        // The left-over ends while nothing else runs: its exit is written down, then the subreaper goes.
        sleep.destroyForcibly();
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !subreaper.isAlive());
        try (var s = Files.list(dir.resolve("exits"))) {
            List<Path> files = s.toList();
            assertThat(files).hasSize(1);
            assertThat(files.get(0).getFileName().toString()).startsWith(sleeper + "-");
            assertThat(Files.readString(files.get(0))).isEqualTo("signal 9\n");
        }
    }

    @Test
    void aStopSignalToTheFrontReachesTheDaemonAndTheFrontReturnsItsStatus() throws Exception {
        dir = Files.createTempDirectory("berth-subreaper-test");
        Path ready = dir.resolve("ready");
        Process front = start("trap 'exit 143' TERM; sleep 300 & echo $! > " + dir.resolve("pid") + "; touch " + ready + "; wait");
        long sleeper = leftBehind();
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(ready));
        front.destroy(); // SIGTERM, what systemctl stop sends to the main process
        assertThat(front.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(front.exitValue()).isEqualTo(143);
        assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).as("what the daemon left runs on").isTrue();
    }
}
