package io.berth.orchestrator.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's C programs, compiled by the Maven build into the jar
 * ({@code io/berth/orchestrator/native/linux-<arch>/}): {@code pause} (the pod sandbox),
 * {@code berth-subreaper} (the daemon's parent) and {@code berth-monitor} (a container run's I/O and log). Extracted on demand into a directory of the state
 * root; a file with the same bytes is reused, so a running sandbox's binary is never rewritten.
 */
public final class NativeBinaries {
    public static final String PAUSE = "pause";
    public static final String SUBREAPER = "berth-subreaper";
    public static final String MONITOR = "berth-monitor";

    /**
     * Each file found or written equal to its resource, by its inode, mtime and size then: every pod's
     * sandbox asks for pause, and reading 666 KiB from the jar and from disk to compare them cost a
     * few ms of each pod's start (docs/benchmarks.md). A file changed or replaced since is compared again.
     */
    private static final Map<Path, List<Object>> VERIFIED = new HashMap<>();

    private NativeBinaries() {
    }

    /** {@code dir/name}, extracted if missing or different; executable. */
    public static synchronized Path extract(String name, Path dir) {
        Path target = dir.resolve(name);
        List<Object> seen = stamp(target);
        if (seen != null && seen.equals(VERIFIED.get(target))) {
            return target;
        }
        String resource = "/io/berth/orchestrator/native/linux-" + System.getProperty("os.arch") + "/" + name;
        byte[] bytes;
        try (InputStream in = NativeBinaries.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: the orchestrator module was built without gcc?");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
                VERIFIED.put(target, seen);
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            // A rename, never an overwrite: a running pause keeps its own inode.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            VERIFIED.put(target, stamp(target));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + name + " into " + dir, e);
        }
    }

    /** What tells a file replaced or rewritten: its inode, mtime and size; null when there is no regular file. */
    private static List<Object> stamp(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isRegularFile() ? Arrays.asList(a.fileKey(), a.lastModifiedTime(), a.size()) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
