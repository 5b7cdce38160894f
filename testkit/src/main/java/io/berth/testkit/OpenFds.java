package io.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * This JVM's open file descriptors, for leak checks: a set of "7 -> /path" entries. A leak is an
 * entry that was not there before ({@code assertThat(after).isSubsetOf(before)}); an fd closed
 * meanwhile (an earlier test's stream closed by the garbage collector) is not the test's doing,
 * which a count would have taken for one.
 */
public final class OpenFds {
    private OpenFds() {
    }

    public static Set<String> now() throws IOException {
        Set<String> fds = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.startsWith("/proc/")) { // the listing's own directory fd
                        fds.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // closed while listed (the listing's own, or another thread's)
                }
            }
        }
        return fds;
    }
}
