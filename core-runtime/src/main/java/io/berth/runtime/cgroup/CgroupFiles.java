package io.berth.runtime.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads and writes cgroup interface files, shared by the v1 and v2 controllers (internal to the
 * cgroup packages; other code goes through {@link Cgroup}).
 *
 * <p>On a real cgroupfs the kernel makes every interface file when the directory is created, so a
 * missing file means a controller is not there and writing never creates files. A test tree of
 * ordinary files ({@link CgroupFs#v2(Path)} on a temporary directory) has no kernel behind it:
 * there writes create the file and removing a cgroup also removes the files in it, which is what
 * rmdir does on cgroupfs.
 */
public final class CgroupFiles {
    /** rmdir races with processes that were just killed but have not left the cgroup yet. */
    private static final long RMDIR_RETRY_NANOS = 3_000_000_000L;

    private final boolean plainFiles;

    CgroupFiles(boolean plainFiles) {
        this.plainFiles = plainFiles;
    }

    public boolean plainFiles() {
        return plainFiles;
    }

    public boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    public void write(Path file, String value) {
        OpenOption[] options = plainFiles
                ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                : new OpenOption[] {StandardOpenOption.WRITE};
        try {
            // One write() call: cgroupfs parses each write on its own, so a split value would be two.
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), options);
        } catch (NoSuchFileException e) {
            throw new CgroupException("cannot write \"" + value + "\" to " + file
                    + ": no such file (is the controller mounted and enabled for this cgroup?)", e);
        } catch (IOException e) {
            throw new CgroupException("cannot write \"" + value + "\" to " + file + ": " + reason(e), e);
        }
    }

    public String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new CgroupException("cannot read " + file + ": no such file (is the controller mounted?)", e);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + reason(e), e);
        }
    }

    public long readLong(Path file) {
        String s = read(file);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CgroupException("cannot parse " + file + ": expected a number, found \"" + s + "\"", e);
        }
    }

    /** The value of {@code key} in a flat-keyed file ("oom_kill 3" lines), if present. */
    public OptionalLong readKey(Path file, String key) {
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return OptionalLong.of(Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    throw new CgroupException("cannot parse " + file + ": \"" + line + "\" is not \"" + key + " N\"", e);
                }
            }
        }
        return OptionalLong.empty();
    }

    /** PIDs listed in {@code cgroup.procs} of dir and of every cgroup below it. */
    public List<Integer> procsRecursive(Path dir) {
        List<Integer> pids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return pids;
        }
        Path procs = dir.resolve("cgroup.procs");
        if (exists(procs)) {
            for (String line : read(procs).split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.trim()));
                }
            }
        }
        for (Path child : subdirectories(dir)) {
            pids.addAll(procsRecursive(child));
        }
        return pids;
    }

    /** mkdir -p, returning the directories that did not exist before (outermost first). */
    public List<Path> mkdirs(Path dir) {
        List<Path> made = new ArrayList<>();
        try {
            // Usually the parent exists (a container under /berth): one mkdir, no lookups.
            Files.createDirectory(dir);
            made.add(dir);
            return made;
        } catch (IOException e) {
            // Missing ancestors, or it exists already: the careful walk below sorts it out.
        }
        for (int attempt = 1;; attempt++) {
            made.clear();
            Path existing = dir;
            while (existing != null && !Files.isDirectory(existing)) {
                made.add(0, existing);
                existing = existing.getParent();
            }
            try {
                for (Path p : made) {
                    try {
                        Files.createDirectory(p);
                    } catch (java.nio.file.FileAlreadyExistsException e) {
                        // Made concurrently by another container's create: the same cgroup either way.
                    }
                }
                return made;
            } catch (NoSuchFileException e) {
                // A parent shared with another runtime was removed as empty between our mkdirs (its
                // last container went): walk again and make it anew. Bounded, in case of a real fault.
                if (attempt == 5) {
                    throw new CgroupException("cannot create cgroup directory " + dir + ": its parent keeps disappearing (" + reason(e) + ")", e);
                }
            } catch (IOException e) {
                throw new CgroupException("cannot create cgroup directory " + dir + ": " + reason(e), e);
            }
        }
    }

    /**
     * Removes dir and every cgroup below it (children first). Absent is fine. Retries while the
     * kernel says EBUSY, because processes that were just killed take a moment to leave.
     */
    public void removeTree(Path dir) {
        if (!plainFiles) {
            // The common case, a leaf cgroup with no processes left, is one rmdir; listing it first
            // would stat every control file in every hierarchy (most of a delete's cost).
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                // Children or still busy: the walk below removes children and retries.
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        for (Path child : subdirectories(dir)) {
            removeTree(child);
        }
        long deadline = System.nanoTime() + RMDIR_RETRY_NANOS;
        long sleepMillis = 5;
        while (true) {
            try {
                if (plainFiles) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
                        for (Path f : files) {
                            Files.delete(f);
                        }
                    }
                }
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                boolean busy = reason(e).contains("busy");
                if (!busy || System.nanoTime() > deadline) {
                    String hint = busy ? " (processes still in it: " + procsRecursive(dir) + ")" : "";
                    throw new CgroupException("cannot remove cgroup " + dir + ": " + reason(e) + hint, e);
                }
                sleep(sleepMillis);
                sleepMillis = Math.min(sleepMillis * 2, 100);
            }
        }
    }

    /**
     * rmdir of a cgroup with no children and no processes: true when it is gone (or was never
     * there), false when it is still in use (the kernel says busy; a test tree has subdirectories or
     * pids), leaving it alone. Never waits: a parent in use stays in use.
     */
    public boolean removeIfEmpty(Path dir) {
        try {
            if (plainFiles) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    return true;
                }
                Path procs = dir.resolve("cgroup.procs");
                if (!subdirectories(dir).isEmpty() || (exists(procs) && !read(procs).isEmpty())) {
                    return false;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
                    for (Path f : files) {
                        Files.delete(f);
                    }
                }
            }
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            if (reason(e).contains("busy")) {
                return false;
            }
            throw new CgroupException("cannot remove cgroup " + dir + ": " + reason(e), e);
        }
    }

    public List<Path> subdirectories(Path dir) {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir,
                p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            children.forEach(dirs::add);
        } catch (NoSuchFileException e) {
            return dirs;
        } catch (IOException e) {
            throw new CgroupException("cannot list cgroup " + dir + ": " + reason(e), e);
        }
        return dirs;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for the cgroup", e);
        }
    }

    static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
