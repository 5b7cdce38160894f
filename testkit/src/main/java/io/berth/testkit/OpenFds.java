package io.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * This JVM's open file descriptors, for leak checks: a set of "7 -> /path" entries. A leak is an
 * entry that was not there before ({@code assertThat(after).isSubsetOf(before)}); an fd closed
 * meanwhile (an earlier test's stream closed by the garbage collector) is not the test's doing,
 * which a count would have taken for one.
 *
 * <p>Files in the JVM's own cgroup are left out: the JVM reads its memory and CPU limits there
 * from time to time, on threads of its own, and a listing that caught one open would report a
 * leak no test made (seen in ContainerErrorsTest). Containers' cgroups are never the JVM's own.
 */
public final class OpenFds {
    private OpenFds() {
    }

    public static Set<String> now() throws IOException {
        Set<Path> ownCgroups = ownCgroupDirs();
        Set<String> fds = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith("/proc/")) {
                        continue; // the listing's own directory fd
                    }
                    if (target.getParent() != null && ownCgroups.contains(target.getParent())) {
                        continue;
                    }
                    fds.add(fd.getFileName() + " -> " + target);
                } catch (IOException e) {
                    // closed while listed (the listing's own, or another thread's)
                }
            }
        }
        return fds;
    }

    /** This process's cgroup directories in every hierarchy, from /proc/self/cgroup. */
    static Set<Path> ownCgroupDirs() throws IOException {
        Set<Path> dirs = new HashSet<>();
        Path root = Path.of("/sys/fs/cgroup");
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
            if (f[1].isEmpty()) { // v2: the unified root, or its mount on a hybrid host
                dirs.add(root.resolve(rel).normalize());
                dirs.add(root.resolve("unified").resolve(rel).normalize());
                continue;
            }
            dirs.add(root.resolve(f[1].replace("name=", "")).resolve(rel).normalize());
            for (String controller : f[1].split(",")) {
                dirs.add(root.resolve(controller.replace("name=", "")).resolve(rel).normalize());
            }
        }
        return dirs;
    }
}
