package io.berth.orchestrator.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.monitor.AttachMonitors;
import io.berth.orchestrator.monitor.ExitFiles;
import io.berth.runtime.linux.ChildProcess;
import io.berth.runtime.linux.LaunchPlan;
import io.berth.runtime.linux.Launcher;
import io.berth.testkit.Monitors;
import io.berth.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's log as the real berth-monitor writes it (CRI records, rotation by renaming) under a real
 * writer (a host shell whose stdout and stderr are the monitor's pipes, as a container's are), and
 * as {@link LogStream} serves it back (docs/operator-guide.md, "Container logs").
 */
class PodLogsTest {
    private static final String RUN = "uid1_main_0";
    private static final Pattern RECORD = Pattern.compile("(\\S+) (stdout|stderr) ([FP]) (.*)");

    @TempDir
    Path state;
    private PodLogs logs;
    private AttachMonitors monitors;
    private Path live;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.root();
        logs = new PodLogs(state, state.resolve("attach"));
        monitors = new AttachMonitors(state.resolve("attach"), state.resolve("bin"), new ExitFiles(state.resolve("exits")));
        live = logs.current("uid1", "main", 0);
        Files.createDirectories(live.getParent());
        Files.createFile(live); // as the pod worker does when it makes the run
    }

    @AfterEach
    void noMonitorLeft() {
        monitors.stopAll("");
        assertThat(Monitors.processes(state)).isEmpty();
        assertThat(Monitors.directories(state)).isEmpty();
    }

    /** Runs {@code script} with its stdout and stderr on run RUN's monitor; returns once the monitor has written all and exited. */
    private void run(String script, long maxBytes, int maxFiles) throws Exception {
        try (AttachMonitors.Started m = monitors.start(RUN, live, maxBytes, maxFiles, false, false, false);
                ChildProcess c = Launcher.launch(LaunchPlan.of(List.of("/bin/sh", "-c", script), List.of("PATH=/usr/bin:/bin"), m.stdio()))) {
            c.proceed();
            assertThat(c.waitFor().code()).isZero();
        }
        awaitMonitorGone();
    }

    private void awaitMonitorGone() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (logs.writing(live)) {
            assertThat(System.nanoTime()).as("the monitor ends with its writers").isLessThan(until);
            Thread.sleep(5);
        }
    }

    private List<Matcher> records() throws Exception {
        List<Matcher> out = new ArrayList<>();
        for (Path f : logs.files(live)) {
            for (String l : Files.readAllLines(f)) {
                Matcher m = RECORD.matcher(l);
                assertThat(m.matches()).as("a CRI record: " + l).isTrue();
                out.add(m);
            }
        }
        return out;
    }

    private String served(LogQuery q) throws Exception {
        return new String(LogStream.read(live, q), StandardCharsets.UTF_8);
    }

    @Test
    void eachLineIsStampedWithItsStreamWithinTheRunsTimeInOrder() throws Exception {
        Instant t0 = Instant.now();
        run("echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three; printf 'no newline'", 0, 5);
        Instant t1 = Instant.now();
        List<Matcher> r = records();
        assertThat(r).extracting(m -> m.group(2)).containsExactly("stdout", "stderr", "stdout", "stdout");
        // The last line had no newline when the output ended: a part, as containerd's CRI writes it.
        assertThat(r).extracting(m -> m.group(3)).containsExactly("F", "F", "F", "P");
        assertThat(r).extracting(m -> m.group(4)).containsExactly("one", "two", "three", "no newline");
        Instant previous = t0;
        for (Matcher m : r) {
            assertThat(m.group(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");
            Instant t = Instant.parse(m.group(1));
            assertThat(t).isAfterOrEqualTo(previous).isBeforeOrEqualTo(t1);
            previous = t;
        }
        assertThat(served(LogQuery.ALL)).isEqualTo("one\ntwo\nthree\nno newline");
        assertThat(served(new LogQuery(true, null, null, null))).isEqualTo(
                r.get(0).group(1) + " one\n" + r.get(1).group(1) + " two\n" + r.get(2).group(1) + " three\n" + r.get(3).group(1) + " no newline");
        assertThat(served(new LogQuery(false, null, 2L, null))).isEqualTo("three\nno newline");
        assertThat(served(new LogQuery(false, null, null, 6L))).isEqualTo("one\ntw");
    }

    @Test
    void aLineLongerThanTheBufferIsWrittenInPartsAndServedWhole() throws Exception {
        run("head -c 40000 /dev/zero | tr '\\0' x; echo; echo short", 0, 5);
        List<Matcher> r = records();
        assertThat(r).extracting(m -> m.group(3)).containsExactly("P", "P", "F", "F");
        assertThat(r).extracting(m -> m.group(4).length()).containsExactly(16384, 16384, 40000 - 2 * 16384, 5);
        String longLine = "x".repeat(40000) + "\n";
        assertThat(served(LogQuery.ALL)).isEqualTo(longLine + "short\n");
        assertThat(served(new LogQuery(false, null, 1L, null))).isEqualTo("short\n");
        assertThat(served(new LogQuery(false, null, 2L, null))).as("tailLines counts whole lines").isEqualTo(longLine + "short\n");
        // One time per line, the time of its first part.
        assertThat(served(new LogQuery(true, null, null, null)))
                .isEqualTo(r.get(0).group(1) + " " + longLine + r.get(3).group(1) + " short\n");
    }

    @Test
    void sinceKeepsTheLinesReadFromThatTimeOn() throws Exception {
        run("echo early; sleep 0.3; echo late", 0, 5);
        List<Matcher> r = records();
        Instant early = Instant.parse(r.get(0).group(1));
        Instant late = Instant.parse(r.get(1).group(1));
        assertThat(Duration.between(early, late)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(served(new LogQuery(false, early.minusMillis(1), null, null))).isEqualTo("early\nlate\n");
        assertThat(served(new LogQuery(false, late.minusMillis(100), null, null))).isEqualTo("late\n");
        assertThat(served(new LogQuery(false, late, null, null))).as("at the line's time is since").isEqualTo("late\n");
        assertThat(served(new LogQuery(false, late.plusMillis(1), null, null))).isEmpty();
    }

    @Test
    void rotationByRenamingLosesNoLineInTheFilesNorForAFollower() throws Exception {
        int lines = 200_000;
        long max = 64 * 1024;
        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        AttachMonitors.Started m = monitors.start(RUN, live, max, 1000, false, false, false);
        // A follower from the start (logs -f), reading across every rename as it happens.
        CompletableFuture<Void> follower = CompletableFuture.runAsync(() -> {
            try {
                LogStream.serve(live, LogQuery.ALL, (b, n) -> followed.write(b, 0, n), () -> logs.writing(live));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (m; ChildProcess c = Launcher.launch(LaunchPlan.of(List.of("/bin/sh", "-c",
                "i=0; while [ $i -lt " + lines + " ]; do echo $i; i=$((i+1)); done"), List.of("PATH=/usr/bin:/bin"), m.stdio()))) {
            c.proceed();
            assertThat(c.waitFor().code()).isZero();
        }
        awaitMonitorGone();
        follower.get(30, TimeUnit.SECONDS);
        List<Path> files = logs.files(live);
        assertThat(files.size()).as("rotated").isGreaterThan(100);
        for (Path f : files) {
            assertThat(Files.size(f)).as(f.toString()).isLessThanOrEqualTo(max);
        }
        String expected = String.join("\n", IntStream.range(0, lines).mapToObj(Integer::toString).toList()) + "\n";
        sameText(served(LogQuery.ALL), expected, "every line, in order, once");
        sameText(followed.toString(StandardCharsets.UTF_8), expected, "the follower's copy");
        System.out.printf("rotation by renaming: %d files of at most %d bytes, %d lines, none lost%n", files.size(), max, lines);
    }

    /** Equal, or a failure that names the first difference (not 200,000 lines of both). */
    private static void sameText(String actual, String expected, String what) {
        if (!actual.equals(expected)) {
            int i = 0;
            while (i < Math.min(actual.length(), expected.length()) && actual.charAt(i) == expected.charAt(i)) {
                i++;
            }
            throw new AssertionError(what + ": " + actual.length() + " chars, expected " + expected.length() + "; first difference at " + i
                    + ": \"" + actual.substring(Math.max(0, i - 40), Math.min(actual.length(), i + 40)) + "\" instead of \""
                    + expected.substring(Math.max(0, i - 40), Math.min(expected.length(), i + 40)) + "\"");
        }
    }

    @Test
    void maxFilesKeepsTheNewestFilesWithTheLiveOne() throws Exception {
        run("i=0; while [ $i -lt 2000 ]; do echo $i; i=$((i+1)); done", 4096, 3);
        assertThat(logs.files(live)).extracting(p -> p.getFileName().toString()).containsExactly("0.log.2", "0.log.1", "0.log");
        List<String> kept = served(LogQuery.ALL).lines().toList();
        assertThat(kept.get(kept.size() - 1)).isEqualTo("1999");
        int first = Integer.parseInt(kept.get(0));
        assertThat(kept).isEqualTo(IntStream.range(first, 2000).mapToObj(Integer::toString).toList());
    }

    @Test
    void aMonitorWhoseRunIsNeverMadeEndsByItself() throws Exception {
        Files.delete(live);
        AttachMonitors.Started m = monitors.start(RUN, live, 0, 5, false, true, false);
        assertThat(logs.writing(live)).isTrue();
        m.close(); // the container's ends: nobody will write
        awaitMonitorGone();
        assertThat(live).as("opened at the first output only").doesNotExist();
    }

    @Test
    void aLogWrittenBeforeTheMonitorsIsServedAsItIs() throws Exception {
        Files.writeString(live, "plain\nold lines\nlast without newline");
        assertThat(served(LogQuery.ALL)).isEqualTo("plain\nold lines\nlast without newline");
        assertThat(served(new LogQuery(true, Instant.now(), null, null))).as("no times to show or filter by")
                .isEqualTo("plain\nold lines\nlast without newline");
        assertThat(served(new LogQuery(false, null, 1L, null))).isEqualTo("last without newline");
    }
}
