package io.berth.runtime.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers around fds and the JVM's own process state. */
final class FdUtil {
    private FdUtil() {
    }

    /** The fd number this process has open on {@code file} (the newest if several), found in /proc/self/fd. */
    static int fdOf(Path file) throws IOException {
        Path real = file.toRealPath();
        int found = -1;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Path.of(Files.readSymbolicLink(p).toString()).equals(real)) {
                        found = Math.max(found, Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        if (found < 0) {
            throw new IOException("no fd open on " + file);
        }
        return found;
    }

    static List<String> fdTargets() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    out.add(p.getFileName() + " -> " + Files.readSymbolicLink(p));
                } catch (IOException e) {
                    // the directory's own fd, closed by now
                }
            }
        }
        return out;
    }
}
