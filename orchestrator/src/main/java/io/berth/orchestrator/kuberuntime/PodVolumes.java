package io.berth.orchestrator.kuberuntime;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * A pod's volumes on the host (the kubelet's volumemanager with its empty-dir and host-path
 * plugins): each is a directory or file that containers get as a bind mount.
 *
 * <ul>
 *   <li>emptyDir: {@code <volumesDir>/<name>}, mode 0777 as the kubelet makes it, shared by the pod's
 *       containers and removed with the pod; {@code medium: Memory} mounts a tmpfs there, with
 *       {@code sizeLimit} as its size. A disk emptyDir's sizeLimit is refused by the API's validator:
 *       Berth does not evict, so it could not honour it.</li>
 *   <li>hostPath: the host's path itself, checked (or made) by its {@code type} as the kubelet's
 *       hostPathTypeChecker does.</li>
 * </ul>
 * Mounts are the volume itself, never a path below it (no subPath): a bind source is opened by name,
 * and one below a directory a container can write could be swapped for a symlink before the mount.
 * Everything is idempotent: it runs before each container run, and again after a daemon restart.
 */
public final class PodVolumes {
    private PodVolumes() {
    }

    /** Makes each volume of the pod ready on the host and returns its host path by name. */
    public static Map<String, Path> prepare(Pod pod, Path volumesDir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        List<Volume> volumes = pod.getSpec().getVolumes();
        if (volumes == null) {
            return out;
        }
        for (Volume v : volumes) {
            if (v.getEmptyDir() != null) {
                out.put(v.getName(), emptyDir(volumesDir.resolve(v.getName()), v.getEmptyDir()));
            } else if (v.getHostPath() != null) {
                out.put(v.getName(), hostPath(v.getName(), v.getHostPath()));
            } else {
                // The validator lets no other type through; a pod stored by an older daemon could hold one.
                throw new IOException("volume \"" + v.getName() + "\": only emptyDir and hostPath volumes are supported");
            }
        }
        return out;
    }

    /**
     * Where a mount's bytes are on the host: the volume itself. subPath is refused by the API (a
     * path below a writable volume could be swapped for a symlink before the mount); a pod stored
     * with one by an older daemon fails here rather than have it ignored.
     */
    public static Path source(VolumeMount m, Map<String, Path> volumes) throws IOException {
        Path volume = volumes.get(m.getName());
        if (volume == null) {
            throw new IOException("volumeMount " + m.getMountPath() + ": no volume named \"" + m.getName() + "\" in the pod");
        }
        if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
            throw new IOException("volumeMount " + m.getMountPath() + ": subPath is not supported");
        }
        return volume;
    }

    /** Unmounts the pod's memory emptyDirs and removes every emptyDir (hostPaths are the host's: never touched). */
    public static void remove(Path volumesDir) throws IOException {
        if (!Files.isDirectory(volumesDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> dirs;
        try (var list = Files.list(volumesDir)) {
            dirs = list.toList();
        }
        for (Path d : dirs) {
            if (isMountPoint(d)) {
                run("umount", d.toString());
            }
        }
        Files.walkFileTree(volumesDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // Never cross into another file system: a mount left there is not the pod's to empty.
                if (!dir.equals(volumesDir) && isMountPoint(dir)) {
                    throw new IOException("cannot remove " + volumesDir + ": " + dir + " is still a mount point");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path emptyDir(Path dir, EmptyDirVolumeSource src) throws IOException {
        Files.createDirectories(dir);
        if ("Memory".equals(src.getMedium()) && !isMountPoint(dir)) {
            List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "mode=0777"));
            Quantity size = src.getSizeLimit();
            if (size != null) {
                options.add("size=" + Quantity.getAmountInBytes(size).longValue());
            }
            run("mount", "-t", "tmpfs", "-o", String.join(",", options), "tmpfs", dir.toString());
        }
        // The kubelet's emptyDir is world-writable, so a container running as any user can use it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static Path hostPath(String name, HostPathVolumeSource src) throws IOException {
        Path path = Path.of(src.getPath());
        String type = src.getType() == null ? "" : src.getType();
        String problem = switch (type) {
            case "" -> null;
            case "DirectoryOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                yield Files.isDirectory(path) ? null : "is not a directory";
            }
            case "Directory" -> Files.isDirectory(path) ? null : Files.exists(path) ? "is not a directory" : "does not exist";
            case "FileOrCreate" -> {
                if (!Files.exists(path)) {
                    // As the kubelet: the file is made, its directory must already be there.
                    try {
                        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
                    } catch (NoSuchFileException e) {
                        yield "cannot be created: " + path.getParent() + " does not exist";
                    }
                }
                yield Files.isRegularFile(path) ? null : "is not a file";
            }
            case "File" -> Files.isRegularFile(path) ? null : Files.exists(path) ? "is not a file" : "does not exist";
            case "Socket" -> fileType(path, 0140000, "a socket");
            case "CharDevice" -> fileType(path, 0020000, "a character device");
            case "BlockDevice" -> fileType(path, 0060000, "a block device");
            default -> "has type \"" + type + "\", which Berth does not know";
        };
        if (problem != null) {
            throw new IOException("volume \"" + name + "\": hostPath type check failed: " + path + " " + problem
                    + " (type " + type + ")");
        }
        return path;
    }

    private static String fileType(Path path, int format, String what) throws IOException {
        if (!Files.exists(path)) {
            return "does not exist";
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & 0170000) == format ? null : "is not " + what;
    }

    /** A directory on another device than its parent is a mount point (a tmpfs here). */
    static boolean isMountPoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Object dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Object parentDev = Files.getAttribute(dir.getParent(), "unix:dev");
        return !dev.equals(parentDev);
    }

    private static void run(String... command) throws IOException {
        // util-linux mount(8), as RootfsManager mounts its overlays: the node side has no mount(2) binding.
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
