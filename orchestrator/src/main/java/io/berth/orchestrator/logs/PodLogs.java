package io.berth.orchestrator.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where container output is, the one place that knows (the API side serves pods/log from here):
 *
 * <pre>
 * &lt;state&gt;/pods/&lt;pod uid&gt;/&lt;container name&gt;/&lt;restartCount&gt;.log      the instance's stdout and stderr, as written
 * &lt;state&gt;/pods/&lt;pod uid&gt;/&lt;container name&gt;/&lt;restartCount&gt;.log.1    older output of the same instance (.2 older still...)
 * </pre>
 *
 * The kubelet's layout (/var/log/pods/NS_NAME_UID/CONTAINER/N.log). Stdout and stderr are the same
 * O_APPEND file, held by the container itself: output never passes through the daemon and is not
 * lost while it is down. Lines are the program's bytes, without the CRI's timestamp and stream
 * prefix. Rotation is copy-then-truncate (the container keeps its fd): a line written between the
 * copy and the truncate is lost, and while no daemon runs nothing rotates.
 */
public final class PodLogs {
    /** The kubelet's containerLogMaxSize and containerLogMaxFiles defaults. */
    public static final long DEFAULT_MAX_BYTES = 10L << 20;
    public static final int DEFAULT_MAX_FILES = 5;

    private final Path podsDir;

    public PodLogs(Path stateRoot) {
        this.podsDir = stateRoot.resolve("pods");
    }

    public Path podDir(String podUid) {
        return podsDir.resolve(podUid);
    }

    public Path containerDir(String podUid, String container) {
        return podDir(podUid).resolve(container);
    }

    /** The live file of one container instance (restartCount 0 is the first run). */
    public Path current(String podUid, String container, int restartCount) {
        return containerDir(podUid, container).resolve(restartCount + ".log");
    }

    /** Every restartCount with a log, ascending. */
    public List<Integer> instances(String podUid, String container) {
        Path dir = containerDir(podUid, container);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+\\.log"))
                    .map(n -> Integer.parseInt(n.substring(0, n.length() - 4))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The newest instance's live file ({@code kubectl logs}). */
    public Optional<Path> latest(String podUid, String container) {
        List<Integer> all = instances(podUid, container);
        return all.isEmpty() ? Optional.empty() : Optional.of(current(podUid, container, all.get(all.size() - 1)));
    }

    /** The instance before the newest ({@code kubectl logs --previous}). */
    public Optional<Path> previous(String podUid, String container) {
        List<Integer> all = instances(podUid, container);
        return all.size() < 2 ? Optional.empty() : Optional.of(current(podUid, container, all.get(all.size() - 2)));
    }

    /** One instance's files, oldest first: {@code N.log.K ... N.log.1, N.log}; concatenated, they are its output. */
    public List<Path> files(Path current) {
        List<Path> out = new ArrayList<>();
        for (int i = 1;; i++) {
            Path p = current.resolveSibling(current.getFileName() + "." + i);
            if (!Files.exists(p)) {
                break;
            }
            out.add(p);
        }
        out.sort(Comparator.comparing((Path p) -> rotationIndex(p)).reversed());
        if (Files.exists(current)) {
            out.add(current);
        }
        return out;
    }

    private static int rotationIndex(Path p) {
        String n = p.getFileName().toString();
        return Integer.parseInt(n.substring(n.lastIndexOf('.') + 1));
    }

    /**
     * When {@code current} exceeds {@code maxBytes}: shifts {@code .1..} up (dropping what would be
     * past {@code maxFiles - 1}), copies the live file to {@code .1} and truncates it. The writer's
     * O_APPEND fd then continues at offset 0.
     */
    public static boolean rotateIfNeeded(Path current, long maxBytes, int maxFiles) {
        try {
            if (!Files.exists(current) || Files.size(current) <= maxBytes) {
                return false;
            }
            int keep = Math.max(1, maxFiles - 1);
            Files.deleteIfExists(current.resolveSibling(current.getFileName() + "." + keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path from = current.resolveSibling(current.getFileName() + "." + i);
                if (Files.exists(from)) {
                    Files.move(from, current.resolveSibling(current.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path first = current.resolveSibling(current.getFileName() + ".1");
            try (FileChannel ch = FileChannel.open(current, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    InputStream in = java.nio.channels.Channels.newInputStream(ch);
                    OutputStream out = Files.newOutputStream(first)) {
                in.transferTo(out);
                ch.truncate(0);
            }
            dropTornTail(first);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rotate " + current, e);
        }
    }

    /**
     * The copy can end inside a write that was in progress: the kernel makes a write visible page
     * by page, so a copy that ends on a page boundary without a newline may hold only the first part
     * of a line whose rest went with the truncate (PodLogsTest saw "1397" then "139729"). That part
     * is cut off, so a rotated file holds whole lines; the line is lost, as every write between the
     * copy and the truncate is. A copy that ends elsewhere ended on a whole write and is kept as it is.
     */
    private static void dropTornTail(Path rotated) throws IOException {
        try (FileChannel ch = FileChannel.open(rotated, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0 || size % PAGE != 0) {
                return;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(PAGE);
            for (long end = size; end > 0; end -= PAGE) {
                b.clear();
                ch.read(b, end - PAGE);
                for (int i = PAGE - 1; i >= 0; i--) {
                    if (b.get(i) == '\n') {
                        ch.truncate(end - PAGE + i + 1);
                        return;
                    }
                }
            }
            ch.truncate(0);
        }
    }

    private static final int PAGE = 4096;

    /** Where {@link #follow} writes; {@code n} bytes of {@code b} each time. */
    public interface Sink {
        void write(byte[] b, int n) throws IOException;
    }

    /** How often a followed file is looked at (logs -f, and attach to a container without a monitor). */
    public static final long FOLLOW_POLL_MILLIS = 200;

    /**
     * New bytes of {@code live} from {@code position} on, as they come, until {@code stillWriting}
     * says no more will (then one last read, for what was written just before). A file shorter than
     * what was read was rotated (copy, then truncate) and is read again from its start.
     */
    public static void follow(Path live, long position, Sink sink, java.util.function.BooleanSupplier stillWriting) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long pos = position;
        boolean last = false;
        while (true) {
            long size = Files.exists(live) ? Files.size(live) : 0;
            if (size < pos) {
                pos = 0;
            }
            if (size > pos) {
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(live.toFile(), "r")) {
                    f.seek(pos);
                    int n;
                    while ((n = f.read(buf)) > 0) {
                        sink.write(buf, n);
                        pos += n;
                    }
                }
            }
            if (last) {
                return;
            }
            last = !stillWriting.getAsBoolean();
            try {
                Thread.sleep(FOLLOW_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
