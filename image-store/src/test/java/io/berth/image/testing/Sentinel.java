package io.berth.image.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.berth.image.content.Digest;

/**
 * A directory of files outside a layer that a hostile tarball tries to reach. {@link #snapshot()}
 * records every path's type, mode, owner, mtime and content digest, so a test can assert that
 * nothing at all changed.
 */
public final class Sentinel {
    private final Path dir;

    public Sentinel(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(dir.resolve("sub/secret"), "secret\n");
        Files.setPosixFilePermissions(dir.resolve("passwd"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(dir.resolve("passwd"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
        Files.setLastModifiedTime(dir.resolve("sub"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
        Files.setLastModifiedTime(dir, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
    }

    public Path dir() {
        return dir;
    }

    public Map<String, String> snapshot() throws IOException {
        return snapshot(dir);
    }

    public static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,size", LinkOption.NOFOLLOW_LINKS);
                String content = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Digest.of(Files.readAllBytes(p)).hex() : "";
                out.put(dir.relativize(p).toString(), a.get("mode") + " " + a.get("uid") + ":" + a.get("gid") + " "
                        + a.get("lastModifiedTime") + " " + a.get("size") + " " + content);
            }
        }
        return out;
    }
}
