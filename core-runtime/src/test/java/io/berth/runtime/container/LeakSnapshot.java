package io.berth.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.berth.runtime.linux.ExitWatcher;
import io.berth.testkit.OpenFds;

/**
 * What a container could leak into the JVM and the host: open fds, mounts, child processes
 * (zombies included), cgroup directories (the parent itself, which goes with its last container,
 * and any below it), and state directories ({@link OpenFds} says how fds are compared).
 */
record LeakSnapshot(Set<String> fds, List<String> mounts, long children, List<Path> cgroupDirs, List<Path> stateDirs) {

    /**
     * The overlay roots image-store's RootfsManager mounts ({@code <state>/containers/<id>/rootfs}):
     * the machine's other test runs (the daemon's) make and remove them in the same mount
     * namespace while this one runs. core-runtime never mounts there (its state is {@code <root>/<id>}),
     * and a container's own mounts would leak under its rootfs, which this does not hide.
     */
    private static final java.util.regex.Pattern OTHER_TESTS_ROOTFS = java.util.regex.Pattern.compile(".*/containers/[^/]+/rootfs");

    static LeakSnapshot take(String cgroupParent, Path stateRoot) throws IOException {
        ExitWatcher.shared(); // its epoll fd lives as long as the JVM: open it before any "before"
        Set<String> fds = OpenFds.now();
        List<String> mounts = hostMountPoints();
        long children = ProcessHandle.current().children().count();
        return new LeakSnapshot(fds, mounts, children, below(Path.of("/sys/fs/cgroup"), cgroupParent.substring(1)), list(stateRoot));
    }

    /** The host's mount points, sorted, less the overlay roots other test runs make meanwhile. */
    static List<String> hostMountPoints() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4]).filter(m -> !OTHER_TESTS_ROOTFS.matcher(m).matches()).sorted().toList();
    }

    /** Zombies are children too, but ProcessHandle hides them: count them from /proc. */
    static long zombieChildren() throws IOException {
        long me = ProcessHandle.current().pid();
        long n = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (f[0].equals("Z") && Long.parseLong(f[1]) == me) {
                        n++;
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return n;
    }

    private static List<Path> below(Path cgroupRoot, String parent) throws IOException {
        try (Stream<Path> hierarchies = Files.list(cgroupRoot)) {
            return hierarchies.map(h -> h.resolve(parent)).filter(Files::isDirectory).flatMap(d -> {
                try (Stream<Path> kids = Files.list(d)) {
                    return Stream.concat(Stream.of(d), kids.filter(Files::isDirectory).toList().stream());
                } catch (IOException e) {
                    return Stream.<Path>empty();
                }
            }).toList();
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
