package io.berth.orchestrator.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Serves one container instance's log ({@link PodLogs#files}): what is there, filtered by a
 * {@link LogQuery}, then, when following, what comes, until its writer is done. Records are parsed
 * ({@link CriRecord}); a line's parts (P records) come out joined, the prefix stripped, with the
 * line's first time in front when asked. berth-monitor rotates by renaming: a follower that sees
 * the live name point to another file reads the one it holds to its end, then opens the new one,
 * so nothing is skipped or read twice.
 */
public final class LogStream {
    /** Where the output goes; {@code n} bytes of {@code b} each time. */
    public interface Sink {
        void write(byte[] b, int n) throws IOException;

        /** After a batch of writes (a follower flushes there). */
        default void flush() throws IOException {
        }
    }

    /** How often a followed file is looked at. */
    public static final long FOLLOW_POLL_MILLIS = 100;

    /** How long a follower looks for the file that came after the one it read, while names move. */
    private static final long SUCCESSOR_WAIT_MILLIS = 2000;

    private final LogQuery query;
    private final Sink sink;
    private final Parser parser = new Parser();
    /** Per stream: whether the next record starts a line, and whether the line being written is kept. */
    private final Map<String, Boolean> midLine = new HashMap<>();
    private final Map<String, Boolean> keptLine = new HashMap<>();
    private long written;
    private boolean full;

    private LogStream(LogQuery query, Sink sink) {
        this.query = query;
        this.sink = sink;
    }

    /**
     * Writes what the instance whose live file is {@code live} holds ({@link PodLogs#files}), as
     * {@code query} asks; then, if {@code stillWriting} is not null, follows the live file until it
     * says no more will come (and one last read after that).
     */
    public static void serve(Path live, LogQuery query, Sink sink, BooleanSupplier stillWriting) throws IOException {
        LogStream s = new LogStream(query, sink);
        Held held = s.history(live);
        try {
            s.sink.flush();
            if (stillWriting != null) {
                held = s.follow(held, live, stillWriting);
            }
        } finally {
            if (held != null) {
                held.ch().close();
            }
        }
    }

    /** What the instance's files hold now, as {@code query} asks, in memory (a small log, a test's). */
    public static byte[] read(Path live, LogQuery query) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        serve(live, query, (b, n) -> out.write(b, 0, n), null);
        return out.toByteArray();
    }

    /**
     * Reads the rotated files and the live one to its current end, keeping the live file open, and
     * writes the lines asked for. The files are all opened first and read only once every name
     * still points to the file opened under it: a rotation in between (every name moves) opens them again.
     */
    private Held history(Path live) throws IOException {
        List<Held> opened = new ArrayList<>();
        try {
            while (!snapshot(live, opened)) {
                opened.forEach(LogStream::closeQuietly);
                opened.clear();
            }
            List<CriRecord> records = new ArrayList<>();
            Parser p = new Parser();
            Held held = opened.isEmpty() ? null : opened.get(opened.size() - 1);
            for (Held h : opened) {
                readTo(h.ch(), h.ch().size(), p, records);
            }
            records.addAll(p.unstamped());
            parser.carry(p);
            for (CriRecord r : tail(records, query.tailLines())) {
                emit(r);
            }
            opened.remove(held);
            return held;
        } finally {
            opened.forEach(LogStream::closeQuietly);
        }
    }

    /** Opens the live file and {@code .1, .2...} into {@code opened}, oldest first; whether no name moved meanwhile. */
    private static boolean snapshot(Path live, List<Held> opened) throws IOException {
        Held current = open(live);
        if (current == null) {
            return true; // no file yet: nothing was written
        }
        List<Path> names = new ArrayList<>();
        names.add(live);
        opened.add(current);
        for (int i = 1;; i++) {
            Path r = PodLogs.rotated(live, i);
            Held h = open(r);
            if (h == null) {
                break;
            }
            names.add(0, r);
            opened.add(0, h);
        }
        for (int i = 0; i < names.size(); i++) {
            if (!Objects.equals(fileKey(names.get(i)), opened.get(i).key())) {
                return false;
            }
        }
        return true;
    }

    private static void closeQuietly(Held h) {
        try {
            h.ch().close();
        } catch (IOException e) {
            // a read-only file: nothing to lose
        }
    }

    /** Returns the file it holds at the end, for the caller to close. */
    private Held follow(Held from, Path live, BooleanSupplier stillWriting) throws IOException {
        Held held = from;
        boolean last = false;
        while (!full) {
            if (held == null) {
                held = open(live);
            }
            if (held != null) {
                drain(held.ch());
                Object now = fileKey(live);
                if (now != null && !now.equals(held.key())) {
                    // Renamed: the monitor opens the new file only after the rename, so what this
                    // one holds now is all it will ever hold. Its successor may itself be rotated
                    // already (several rotations between two looks): it is found by name.
                    drain(held.ch());
                    Held next = successor(live, held);
                    held.ch().close();
                    held = next;
                    continue;
                }
            }
            sink.flush();
            if (last) {
                break;
            }
            last = !stillWriting.getAsBoolean();
            if (!last) {
                try {
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (CriRecord r : parser.rest()) {
            emit(r);
        }
        sink.flush();
        return held;
    }

    /**
     * The file written after {@code held}, which is no longer the live one: if {@code held} is now
     * {@code .i}, the file named {@code .(i-1)} (or the live one). Checked after the open, since
     * the names move while this looks; a file that is gone (past maxFiles) is followed by the oldest left.
     * A rotation renames the files one by one, so a look in the middle of one sees names shifted or
     * missing; looks are retried a millisecond apart for up to {@link #SUCCESSOR_WAIT_MILLIS}: a
     * monitor descheduled mid-rotation (a loaded host) holds the names in that state for a while, and
     * a hundred looks in a row once ended inside one rotation and fell back to "the oldest left",
     * which then was a file a dozen rotations on (CI's PodLogsTest).
     */
    private static Held successor(Path live, Held held) throws IOException {
        long deadline = System.nanoTime() + SUCCESSOR_WAIT_MILLIS * 1_000_000;
        for (boolean first = true; first || System.nanoTime() < deadline; first = false) {
            if (!first) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            boolean moved = false;
            for (int i = 1; !moved; i++) {
                Path name = PodLogs.rotated(live, i);
                Object key = fileKey(name);
                if (key == null) {
                    break;
                }
                if (key.equals(held.key())) {
                    Held next = open(i == 1 ? live : PodLogs.rotated(live, i - 1));
                    if (next != null && held.key().equals(fileKey(name))) {
                        return next;
                    }
                    if (next != null) {
                        closeQuietly(next);
                    }
                    moved = true;
                }
            }
        }
        Held oldest = null;
        for (int i = 1;; i++) {
            Held h = open(PodLogs.rotated(live, i));
            if (h == null) {
                return oldest != null ? oldest : open(live);
            }
            if (oldest != null) {
                closeQuietly(oldest);
            }
            oldest = h;
        }
    }

    private void drain(FileChannel ch) throws IOException {
        List<CriRecord> out = new ArrayList<>();
        readTo(ch, Long.MAX_VALUE, parser, out);
        for (CriRecord r : out) {
            emit(r);
        }
    }

    private static void readTo(FileChannel ch, long end, Parser p, List<CriRecord> out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long pos = ch.position();
        while (pos < end) {
            b.clear();
            if (end - pos < b.capacity()) {
                b.limit((int) (end - pos));
            }
            int n = ch.read(b);
            if (n <= 0) {
                break;
            }
            pos += n;
            p.add(java.util.Arrays.copyOf(b.array(), n), out);
        }
    }

    /** The last {@code n} whole lines of {@code records} (a line is its P records and their F). */
    static List<CriRecord> tail(List<CriRecord> records, Long n) {
        if (n == null || n < 0) {
            return records;
        }
        Deque<List<CriRecord>> lines = new ArrayDeque<>();
        Map<String, List<CriRecord>> open = new HashMap<>();
        for (CriRecord r : records) {
            String stream = String.valueOf(r.stream());
            List<CriRecord> line = open.get(stream);
            if (line == null) {
                line = new ArrayList<>();
                lines.addLast(line);
                if (n > 0 && lines.size() > n + 2) {
                    lines.removeFirst(); // only ever the last n (a few more while lines of two streams interleave)
                }
            }
            line.add(r);
            if (r.partial()) {
                open.put(stream, line);
            } else {
                open.remove(stream);
            }
        }
        List<CriRecord> out = new ArrayList<>();
        List<List<CriRecord>> all = new ArrayList<>(lines);
        for (List<CriRecord> line : all.subList((int) Math.max(0, all.size() - n), all.size())) {
            out.addAll(line);
        }
        return out;
    }

    private void emit(CriRecord r) throws IOException {
        if (full) {
            return;
        }
        String stream = String.valueOf(r.stream());
        boolean starts = !midLine.getOrDefault(stream, false);
        if (starts) {
            keptLine.put(stream, query.since() == null || r.time() == null || !r.time().isBefore(query.since()));
        }
        midLine.put(stream, r.partial());
        if (!keptLine.get(stream)) {
            return;
        }
        if (starts && query.timestamps() && r.stamped()) {
            write((CriRecord.TIMESTAMP.format(r.time()) + " ").getBytes(StandardCharsets.US_ASCII));
        }
        write(r.content());
        write(r.end());
    }

    private void write(byte[] b) throws IOException {
        int n = b.length;
        if (query.limitBytes() != null && written + n >= query.limitBytes()) {
            n = (int) (query.limitBytes() - written);
            full = true;
        }
        if (n > 0) {
            sink.write(b, n);
            written += n;
        }
    }

    /** An open file and the identity (inode) it had when opened. */
    private record Held(FileChannel ch, Object key) {
    }

    /**
     * Opens {@code p}, knowing which file it opened: Java has no fstat, so the path's inode is
     * read before and after the open, and the open is tried again if a rotation came in between.
     */
    private static Held open(Path p) throws IOException {
        for (;;) {
            Object before = fileKey(p);
            if (before == null) {
                return null;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(p, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (before.equals(fileKey(p))) {
                return new Held(ch, before);
            }
            ch.close();
        }
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Bytes to records: holds an unfinished record (the writer is mid-write) and a line's parts until its end. */
    private static final class Parser {
        private byte[] rest = new byte[0];

        void carry(Parser other) {
            rest = other.rest;
        }

        void add(byte[] data, List<CriRecord> out) {
            byte[] b = data;
            if (rest.length > 0) {
                b = new byte[rest.length + data.length];
                System.arraycopy(rest, 0, b, 0, rest.length);
                System.arraycopy(data, 0, b, rest.length, data.length);
            }
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    out.add(CriRecord.parse(b, start, i, true));
                    start = i + 1;
                }
            }
            rest = java.util.Arrays.copyOfRange(b, start, b.length);
        }

        /**
         * The end of what a reader saw, if it is no record: an old log's last line without a
         * newline, served as it is. A stamped record not yet whole is the writer's, mid-write: it
         * is parsed when the rest is read.
         */
        List<CriRecord> unstamped() {
            if (rest.length == 0) {
                return List.of();
            }
            CriRecord r = CriRecord.parse(rest, 0, rest.length, false);
            if (r.stamped()) {
                return List.of();
            }
            rest = new byte[0];
            return List.of(r);
        }

        /** What is left once the writer is done. */
        List<CriRecord> rest() {
            if (rest.length == 0) {
                return List.of();
            }
            CriRecord r = CriRecord.parse(rest, 0, rest.length, false);
            rest = new byte[0];
            return List.of(r);
        }
    }
}
