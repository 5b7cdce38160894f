package io.berth.orchestrator.logs;

import io.berth.orchestrator.monitor.AttachMonitors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where container output is, the one place that knows (the API side serves pods/log from here):
 *
 * <pre>
 * &lt;state&gt;/pods/&lt;pod uid&gt;/&lt;container name&gt;/&lt;restartCount&gt;.log      the instance's stdout and stderr, CRI format
 * &lt;state&gt;/pods/&lt;pod uid&gt;/&lt;container name&gt;/&lt;restartCount&gt;.log.1    older output of the same instance (.2 older still...)
 * </pre>
 *
 * The kubelet's layout (/var/log/pods/NS_NAME_UID/CONTAINER/N.log) and its format: each run's
 * berth-monitor reads the container's stdout and stderr pipes (or its terminal) and writes one
 * record per line, {@code <RFC3339Nano time> <stdout|stderr> <F|P> <content>} ({@link CriRecord}),
 * so output never passes through the daemon and is neither lost nor unstamped while it is down.
 * The monitor also rotates (by renaming, past the node's {@code logMaxBytes}, keeping
 * {@code logMaxFiles} files with the live one): no line is lost, daemon or not. {@link LogStream}
 * reads the files back.
 */
public final class PodLogs {
    /** The kubelet's containerLogMaxSize and containerLogMaxFiles defaults. */
    public static final long DEFAULT_MAX_BYTES = 10L << 20;
    public static final int DEFAULT_MAX_FILES = 5;

    private final Path podsDir;
    private final Path monitorsRoot;

    /**
     * @param monitorsRoot where the runs' monitors are ({@code NodeOptions.attachRoot}): a log is
     *                     still being written while its run's monitor runs
     */
    public PodLogs(Path stateRoot, Path monitorsRoot) {
        this.podsDir = stateRoot.resolve("pods");
        this.monitorsRoot = monitorsRoot;
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
            Path p = rotated(current, i);
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

    /** The {@code i}th newest rotated file of an instance: berth-monitor renames {@code N.log} to {@code N.log.1}, and so on up. */
    public static Path rotated(Path current, int i) {
        return current.resolveSibling(current.getFileName() + "." + i);
    }

    private static int rotationIndex(Path p) {
        String n = p.getFileName().toString();
        return Integer.parseInt(n.substring(n.lastIndexOf('.') + 1));
    }

    /**
     * Whether the monitor that writes {@code live} (a {@link #current} path) still runs: it writes
     * what the container wrote up to the end of its output, which may be a moment after the
     * container's exit is known.
     */
    public boolean writing(Path live) {
        return AttachMonitors.running(monitorsRoot, runId(live));
    }

    /** Waits (at most {@code timeout}) until nothing writes {@code live} any more. */
    public void awaitWriter(Path live, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (writing(live) && System.nanoTime() < until) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The runtime container id of the run whose live file this is: {@code <pod uid>_<container>_<restartCount>}. */
    static String runId(Path live) {
        String file = live.getFileName().toString();
        Path container = live.getParent();
        return container.getParent().getFileName() + "_" + container.getFileName() + "_" + file.substring(0, file.length() - ".log".length());
    }
}
