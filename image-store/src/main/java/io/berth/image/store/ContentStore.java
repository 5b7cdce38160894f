package io.berth.image.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.Progress;

/**
 * Content-addressed blobs under {@code images/blobs/sha256/<hex>}.
 *
 * <p>A blob only ever appears complete: bytes go to a file in {@code images/ingest/} (same
 * filesystem), are checked against the expected digest and size, fsynced, then renamed into place
 * and the directory fsynced. A crash leaves at most a file in {@code ingest/}, which nothing reads
 * as a blob: {@code <hex>.partial} files (named by the digest, so a later pull can resume them) and
 * {@code tmp-*} files (content of unknown digest) are removed by {@link #cleanIngest(Duration)}.
 */
public final class ContentStore {
    private static final int BUFFER = 1 << 16;
    private final Path blobs;
    private final Path ingest;

    /** {@code imagesDir} is the store's {@code images/} directory; it is created if missing. */
    public ContentStore(Path imagesDir) throws IOException {
        this.blobs = Files.createDirectories(imagesDir.resolve("blobs").resolve("sha256"));
        this.ingest = Files.createDirectories(imagesDir.resolve("ingest"));
    }

    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean has(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /**
     * Where a download of {@code digest} should write: deterministic, so an interrupted pull can
     * resume with a Range request from the file's current length. Hand the finished file to
     * {@link #commit(Descriptor, Path)}.
     */
    public Path ingestPath(Digest digest) {
        return ingest.resolve(digest.hex() + ".partial");
    }

    /**
     * Moves a downloaded file into the store after checking its size and digest (again: the store,
     * not the downloader, vouches for what is in {@code blobs/}). A mismatch deletes the file and
     * says what arrived instead.
     */
    public void commit(Descriptor expected, Path file) throws IOException {
        long size = Files.size(file);
        MessageDigest sha = Digest.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        Digest actual = Digest.of(sha);
        if (size != expected.size() || !actual.equals(expected.digest())) {
            Files.deleteIfExists(file);
            throw new BlobMismatchException(expected, actual, size);
        }
        publish(file, expected.digest());
    }

    /** Stores a small blob (configs, manifests) held in memory. */
    public Descriptor put(byte[] content, String mediaType) throws IOException {
        return put(new java.io.ByteArrayInputStream(content), mediaType, null, Progress.NONE);
    }

    /**
     * Streams a blob into the store. With an {@code expected} descriptor, a longer stream is cut off
     * as soon as it passes the expected size, and a wrong digest is refused; without one, the digest
     * is whatever the bytes hash to.
     */
    public Descriptor put(InputStream in, String mediaType, Descriptor expected, Progress progress) throws IOException {
        Path tmp = ingest.resolve("tmp-" + UUID.randomUUID());
        boolean published = false;
        try {
            MessageDigest sha = Digest.newSha256();
            long size = 0;
            long total = expected == null ? -1 : expected.size();
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[BUFFER];
                int n;
                while ((n = in.read(buf)) > 0) {
                    size += n;
                    if (expected != null && size > expected.size()) {
                        throw new BlobMismatchException(expected, null, size);
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                    if (expected != null) {
                        progress.update(expected.digest(), size, total);
                    }
                }
            }
            Digest actual = Digest.of(sha);
            if (expected != null && (size != expected.size() || !actual.equals(expected.digest()))) {
                throw new BlobMismatchException(expected, actual, size);
            }
            if (has(actual)) {
                return new Descriptor(mediaType, actual, size);
            }
            publish(tmp, actual);
            published = true;
            return new Descriptor(mediaType, actual, size);
        } finally {
            if (!published) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Opens a stored blob; a missing one is an error naming the digest. */
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(blobPath(digest).toString(), null, "blob " + digest + " is not in the store");
        }
    }

    /** Reads a small blob whole, refusing anything over {@code maxBytes} (JSON documents only). */
    public byte[] read(Digest digest, int maxBytes) throws IOException {
        try (InputStream in = open(digest)) {
            byte[] data = in.readNBytes(maxBytes + 1);
            if (data.length > maxBytes) {
                throw new IOException("blob " + digest + " is larger than " + maxBytes + " bytes; it is not a manifest or config");
            }
            return data;
        }
    }

    public long size(Digest digest) throws IOException {
        return Files.size(blobPath(digest));
    }

    public void delete(Digest digest) throws IOException {
        Files.deleteIfExists(blobPath(digest));
    }

    /** Every complete blob. Files that are not named by a valid digest are not blobs and are ignored. */
    public Set<Digest> list() throws IOException {
        Set<Digest> out = new HashSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(blobs)) {
            for (Path p : s) {
                try {
                    out.add(new Digest(p.getFileName().toString()));
                } catch (IllegalArgumentException notABlob) {
                    // a stray file someone dropped here: never treat it as content
                }
            }
        }
        return out;
    }

    /** Removes ingest files untouched for {@code olderThan} (crashed imports and abandoned pulls). */
    public int cleanIngest(Duration olderThan) throws IOException {
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(ingest)) {
            for (Path p : s) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (NoSuchFileException raced) {
                    // another cleaner or the committing pull got there first
                }
            }
        }
        return removed;
    }

    private void publish(Path file, Digest digest) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(file, blobPath(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + file + " into " + blobs + " atomically: the ingest and blob "
                    + "directories must be on one filesystem", e);
        }
        fsyncDir(blobs);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
