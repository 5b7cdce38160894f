package io.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A busybox root filesystem built from Debian's {@code busybox-static}: the static binary, a link
 * for every applet, /etc/passwd and /etc/group, and the empty mount points a container needs. It
 * is built once into a cache directory ({@code -Dberth.fixtures=DIR}, default
 * {@code /var/tmp/berth-fixtures}) and reused; a build goes to a temporary directory that is
 * renamed into place, so parallel test runs never see half a rootfs.
 *
 * <p>Containers share this tree: a test that writes into its root must use {@link #copyTo(Path)}.
 */
public final class BusyboxRootfs {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    /** Bump when the layout below changes, so stale caches are not reused. */
    private static final String VERSION = "v2";

    private BusyboxRootfs() {
    }

    public static Path cacheDir() {
        return Path.of(System.getProperty("berth.fixtures", "/var/tmp/berth-fixtures"));
    }

    /** The cached rootfs, building it first if needed. Skips (or fails on CI) without busybox-static. */
    public static synchronized Path path() {
        Requirements.require(isStaticBusybox(), "busybox-static is not installed (apt-get install busybox-static)");
        Path target = cacheDir().resolve("busybox-rootfs-" + VERSION);
        if (Files.isRegularFile(target.resolve("bin/busybox"))) {
            return target;
        }
        try {
            Files.createDirectories(cacheDir());
            Path tmp = Files.createTempDirectory(cacheDir(), ".busybox-rootfs-");
            try {
                build(tmp);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                    // Another run won the race; its tree is as good as ours.
                }
            } finally {
                deleteTree(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox rootfs fixture in " + cacheDir(), e);
        }
    }

    /** A private, writable copy of the rootfs at {@code dest} (which must not exist). */
    public static Path copyTo(Path dest) {
        Path src = path();
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path to = dest.resolve(src.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            return dest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the busybox rootfs to " + dest, e);
        }
    }

    static boolean isStaticBusybox() {
        if (!Files.isExecutable(BUSYBOX)) {
            return false;
        }
        try {
            // A dynamic busybox would need the host's libc inside the rootfs.
            byte[] head = new byte[4096];
            try (var in = Files.newInputStream(BUSYBOX)) {
                int n = in.readNBytes(head, 0, head.length);
                return !new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux");
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void build(Path root) throws IOException {
        // createTempDirectory made it 0700: a container running as non-root could not reach "/".
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root", "home", "var", "run")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(BUSYBOX, root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets()) {
            Path link = root.resolve(applet.substring(1));
            if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.createDirectories(link.getParent());
            // Relative links keep the tree valid wherever it is mounted or unpacked.
            Files.createSymbolicLink(link, link.getParent().relativize(root.resolve("bin/busybox")));
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\n"
                        + "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n");
        Files.writeString(root.resolve("etc/hostname"), "busybox\n");
    }

    private static List<String> applets() throws IOException {
        Process p = new ProcessBuilder(BUSYBOX.toString(), "--list-full").redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (var r = p.inputReader()) {
            r.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> out.add("/" + l));
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException("busybox --list-full failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    /** Deletes a tree without following symlinks out of it; absent is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
