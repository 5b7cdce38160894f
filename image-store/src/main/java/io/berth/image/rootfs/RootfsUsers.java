package io.berth.image.rootfs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a process that runs on a container's root filesystem from another mount namespace: the
 * container itself, whose namespace holds its own copy of the overlay (or of the bind mount of a
 * copied root). Unmounting the host's mount succeeds regardless (it is not busy: the container's
 * namespace keeps the filesystem alive), so without this check delete would remove the upper and
 * work directories under a running container.
 *
 * <p>A root filesystem is known by its device and its path inside that filesystem, taken from
 * this process's mountinfo: an overlay is a filesystem of its own (path "/"), a copied root a
 * directory of the state root's filesystem. Every other mount namespace is read once, through the
 * first process found in it. A mount there of the same device, whose root is that path or below
 * it, on another mount point than ours means the namespace runs on it: a container has it at "/"
 * after pivot_root (or a bind mount put it elsewhere). One on our very mount point is only a copy:
 * every mount namespace cloned from ours while the root was mounted has one (another container
 * still being set up, a helper that unshared), and so does a namespace our mounts propagate to;
 * those hold nothing anyone runs on, so they do not block delete. Costs one readlink per process
 * and one mountinfo read per other mount namespace.
 */
final class RootfsUsers {
    private static final Path PROC = Path.of("/proc");

    /** A process whose mount namespace has the root filesystem mounted. */
    record User(int pid, String command, String cgroup) {
        String describe() {
            return "process " + pid + " (" + command + (cgroup == null ? "" : ", cgroup " + cgroup) + ")";
        }
    }

    private RootfsUsers() {
    }

    static Optional<User> find(Path rootfs) throws IOException {
        Path dir = rootfs.toAbsolutePath().normalize();
        String[] mount = containingMount(dir);
        if (mount == null) {
            return Optional.empty();
        }
        String device = mount[2];
        Path mountPoint = Path.of(Mounts.unescape(mount[4]));
        String fsPath = Path.of(Mounts.unescape(mount[3])).resolve(mountPoint.relativize(dir).toString()).normalize().toString();
        Set<String> seen = new HashSet<>();
        seen.add(namespace(PROC.resolve("self")));
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
            for (Path proc : procs) {
                String ns = namespace(proc);
                if (ns == null || !seen.add(ns)) {
                    continue;
                }
                if (uses(proc, device, fsPath, mount[4])) {
                    int pid = Integer.parseInt(proc.getFileName().toString());
                    return Optional.of(new User(pid, read(proc.resolve("comm")), cgroup(proc)));
                }
            }
        }
        return Optional.empty();
    }

    /** The mountinfo fields of the mount {@code dir} is on: the deepest mount point, the last one stacked there. */
    private static String[] containingMount(Path dir) throws IOException {
        String[] best = null;
        int bestDepth = -1;
        for (String line : Files.readAllLines(PROC.resolve("self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            Path mp = Path.of(Mounts.unescape(f[4]));
            if (dir.startsWith(mp) && mp.getNameCount() >= bestDepth) {
                best = f;
                bestDepth = mp.getNameCount();
            }
        }
        return best;
    }

    private static boolean uses(Path proc, String device, String fsPath, String mountPoint) {
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve("mountinfo"));
        } catch (IOException e) {
            return false; // exited meanwhile
        }
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 5 || !f[2].equals(device)) {
                continue;
            }
            String root = Mounts.unescape(f[3]);
            if (!(fsPath.equals("/") || root.equals(fsPath) || root.startsWith(fsPath + "/"))) {
                continue;
            }
            if (f[4].equals(mountPoint)) {
                continue; // a copy of our own mount (see the class comment)
            }
            return true;
        }
        return false;
    }

    private static String namespace(Path proc) {
        try {
            return Files.readSymbolicLink(proc.resolve("ns/mnt")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // exited, or a kernel thread
        }
    }

    /** The process's cgroup as one path: the v2 entry, else the v1 pids or memory one. */
    private static String cgroup(Path proc) {
        String found = null;
        try {
            for (String line : Files.readAllLines(proc.resolve("cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && (f[0].equals("0") || f[1].equals("pids") || f[1].equals("memory"))) {
                    if (!f[2].equals("/")) {
                        found = f[2];
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
