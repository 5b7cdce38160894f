package io.berth.orchestrator.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Copy-then-truncate rotation under a real writer holding the file O_APPEND, as a container does:
 * what is kept, in which order, and what the truncate can lose (docs/operator-guide.md, "Container logs").
 */
class PodLogsTest {

    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) {
            io.berth.testkit.BusyboxRootfs.deleteTree(dir);
        }
    }

    private static String concatenated(PodLogs logs, Path live) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : logs.files(live)) {
            all.write(Files.readAllBytes(p));
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** A pod's first container instance's live file, in a directory of this test's own. */
    private Path liveLog(PodLogs[] logs) throws Exception {
        dir = Files.createTempDirectory("berth-podlogs-test");
        logs[0] = new PodLogs(dir);
        Path live = logs[0].current("uid1", "main", 0);
        Files.createDirectories(live.getParent());
        return live;
    }

    @Test
    void rotationKeepsMaxFilesInOrderAndTheAppendingWriterGoesOnAtTheStart() throws Exception {
        PodLogs[] made = new PodLogs[1];
        Path live = liveLog(made);
        PodLogs logs = made[0];
        Files.writeString(live, "a\n");
        assertThat(PodLogs.rotateIfNeeded(live, 10, 3)).as("under the limit").isFalse();
        assertThat(logs.files(live)).containsExactly(live);
        // A writer with the file open O_APPEND, like a container's stdout (sh's >> opens it so).
        Path fifo = dir.resolve("go");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Process writer = new ProcessBuilder("sh", "-c", "while read l; do echo \"$l\"; done < " + fifo + " >> " + live).start();
        try (var go = Files.newBufferedWriter(fifo)) {
            for (String chunk : List.of("b", "c", "d", "e")) {
                go.write(chunk.repeat(20) + "\n");
                go.flush();
                waitUntil(() -> Files.readString(live).contains(chunk.repeat(20)));
                assertThat(PodLogs.rotateIfNeeded(live, 10, 3)).isTrue();
                assertThat(Files.size(live)).isZero();
            }
            go.write("f\n");
            go.flush();
            waitUntil(() -> Files.size(live) > 0);
        }
        assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // O_APPEND: the next write lands at offset 0 of the truncated file, no hole of NULs.
        assertThat(Files.readString(live)).isEqualTo("f\n");
        // maxFiles 3: the live file and .1, .2; what was older is gone. Oldest first.
        assertThat(logs.files(live)).extracting(p -> p.getFileName().toString()).containsExactly("0.log.2", "0.log.1", "0.log");
        assertThat(concatenated(logs, live)).isEqualTo("d".repeat(20) + "\n" + "e".repeat(20) + "\nf\n");
    }

    @Test
    void whatAFastWriterLosesToCopyThenTruncateIsOnlyWholeWritesBetweenTheCopyAndTheTruncate() throws Exception {
        PodLogs[] made = new PodLogs[1];
        Path live = liveLog(made);
        PodLogs logs = made[0];
        int lines = 200_000;
        Process writer = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + lines + " ]; do echo $i; i=$((i+1)); done >> " + live).start();
        int rotations = 0;
        while (writer.isAlive()) {
            if (PodLogs.rotateIfNeeded(live, 64 * 1024, 1000)) {
                rotations++;
            }
            Thread.sleep(5);
        }
        assertThat(writer.exitValue()).isZero();
        List<String> kept = concatenated(logs, live).lines().toList();
        assertThat(rotations).isPositive();
        // In order, no line twice, none torn or padded: only whole writes (here one line each) can be missing.
        long previous = -1;
        for (String l : kept) {
            assertThat(l).matches("\\d+");
            long n = Long.parseLong(l);
            assertThat(n).isGreaterThan(previous);
            previous = n;
        }
        assertThat(previous).isEqualTo(lines - 1);
        System.out.printf("copy-then-truncate: %d rotations of a 64 KiB file, %d of %d lines lost%n", rotations, lines - kept.size(), lines);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(Check c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.ok()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
