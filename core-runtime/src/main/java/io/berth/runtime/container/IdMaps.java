package io.berth.runtime.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.berth.runtime.oci.Spec;

/**
 * Writes a new user namespace's uid_map and gid_map from outside, before the child is told to go
 * (until then it is the overflow user and cannot become the namespace's root). The kernel takes
 * each map exactly once and in a single write(2). As runc does when it runs as root, gid_map is
 * written directly: setgroups stays "allow", so process.user.additionalGids still work inside.
 */
final class IdMaps {
    private IdMaps() {
    }

    static void write(int pid, List<Spec.IdMapping> uidMappings, List<Spec.IdMapping> gidMappings) throws IOException {
        writeMap(pid, "uid_map", uidMappings);
        writeMap(pid, "gid_map", gidMappings);
    }

    static String format(List<Spec.IdMapping> mappings) {
        StringBuilder sb = new StringBuilder();
        for (Spec.IdMapping m : mappings) {
            sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        }
        return sb.toString();
    }

    private static void writeMap(int pid, String file, List<Spec.IdMapping> mappings) throws IOException {
        Path path = Path.of("/proc", Integer.toString(pid), file);
        byte[] bytes = format(mappings).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            int n = ch.write(ByteBuffer.wrap(bytes));
            if (n != bytes.length) {
                throw new IOException("the kernel took " + n + " of " + bytes.length + " bytes");
            }
        } catch (IOException e) {
            // The reason alone: a FileSystemException's message repeats the path, a write's has none.
            String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
            throw new IOException("writing " + path + " (" + format(mappings).trim().replace("\n", "; ") + "): " + reason
                    + ": check linux." + (file.equals("uid_map") ? "uidMappings" : "gidMappings"), e);
        }
    }
}
