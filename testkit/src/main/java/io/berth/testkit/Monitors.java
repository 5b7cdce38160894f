package io.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the container runs' monitors of one state root leave on the host, for leak checks: both must end up empty. */
public final class Monitors {
    private Monitors() {
    }

    /** Pids of the berth-monitor processes started for {@code stateRoot} (their command line names their directory there). */
    public static List<Long> processes(Path stateRoot) {
        String marker = "berth-monitor " + stateRoot.resolve("attach");
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(marker))
                .map(ProcessHandle::pid).toList();
    }

    /** What is in {@code stateRoot}/attach (one directory per monitor). */
    public static List<Path> directories(Path stateRoot) {
        Path dir = stateRoot.resolve("attach");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
