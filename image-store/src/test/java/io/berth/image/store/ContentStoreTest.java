package io.berth.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.Progress;

class ContentStoreTest {
    @TempDir
    Path images;
    ContentStore store;

    @BeforeEach
    void open() throws IOException {
        store = new ContentStore(images);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> ingestFiles() throws IOException {
        try (var s = Files.list(images.resolve("ingest"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void putStoresUnderTheDigestAndReadsBack() throws IOException {
        Descriptor d = store.put(bytes("hello"), "text/plain");
        assertThat(d.digest()).isEqualTo(Digest.of(bytes("hello")));
        assertThat(d.size()).isEqualTo(5);
        assertThat(store.blobPath(d.digest())).isEqualTo(images.resolve("blobs/sha256/" + d.digest().hex())).hasContent("hello");
        assertThat(store.read(d.digest(), 100)).isEqualTo(bytes("hello"));
        assertThat(store.list()).containsExactly(d.digest());
        assertThat(ingestFiles()).isEmpty();
        // storing the same content again is a no-op
        assertThat(store.put(bytes("hello"), "text/plain")).isEqualTo(d);
    }

    @Test
    void wrongDigestIsRefusedAndLeavesNothing() throws IOException {
        Descriptor expected = new Descriptor(null, Digest.of(bytes("good")), 4);
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes("evil")), null, expected, Progress.NONE))
                .isInstanceOf(BlobMismatchException.class)
                .hasMessageContaining(expected.digest().toString()).hasMessageContaining(Digest.of(bytes("evil")).toString());
        assertThat(store.has(expected.digest())).isFalse();
        assertThat(store.list()).isEmpty();
        assertThat(ingestFiles()).isEmpty();
    }

    @Test
    void overlongStreamIsCutOffAtTheExpectedSize() {
        Descriptor expected = new Descriptor(null, Digest.of(bytes("abc")), 3);
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'a';
            }
        };
        assertThatThrownBy(() -> store.put(endless, null, expected, Progress.NONE))
                .isInstanceOf(BlobMismatchException.class).hasMessageContaining("longer than the 3 bytes");
    }

    @Test
    void commitOfAnIngestFileVerifiesIt() throws IOException {
        Digest d = Digest.of(bytes("layer bytes"));
        Path ingest = store.ingestPath(d);
        assertThat(ingest).isEqualTo(images.resolve("ingest/" + d.hex() + ".partial"));
        Files.writeString(ingest, "layer bytes");
        store.commit(new Descriptor(null, d, 11), ingest);
        assertThat(store.blobPath(d)).hasContent("layer bytes");
        assertThat(ingest).doesNotExist();
    }

    @Test
    void corruptIngestFileIsDeletedAndNeverVisible() throws IOException {
        Digest d = Digest.of(bytes("layer bytes"));
        Path ingest = store.ingestPath(d);
        Files.writeString(ingest, "layer bytez");
        assertThatThrownBy(() -> store.commit(new Descriptor(null, d, 11), ingest))
                .isInstanceOf(BlobMismatchException.class).hasMessageContaining("corrupt");
        assertThat(store.has(d)).isFalse();
        assertThat(ingest).doesNotExist();
        Files.writeString(ingest, "layer");
        assertThatThrownBy(() -> store.commit(new Descriptor(null, d, 11), ingest)).isInstanceOf(BlobMismatchException.class)
                .hasMessageContaining("5 bytes");
    }

    @Test
    void leftoversOfACrashedRunNeverTripALaterOne() throws IOException {
        Digest d = Digest.of(bytes("content"));
        // What a crash mid-write leaves: a half temp file, a partial pull, and junk in the blob dir.
        Files.writeString(images.resolve("ingest/tmp-1234"), "cont");
        Files.writeString(store.ingestPath(d), "cont");
        Files.writeString(images.resolve("blobs/sha256/not-a-digest"), "junk");
        ContentStore reopened = new ContentStore(images);
        assertThat(reopened.list()).isEmpty();
        assertThat(reopened.has(d)).isFalse();
        assertThat(reopened.put(bytes("content"), null).digest()).isEqualTo(d);
        // Stale ingest files are collected; fresh ones (a pull in progress) are not.
        Files.setLastModifiedTime(images.resolve("ingest/tmp-1234"), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        assertThat(reopened.cleanIngest(Duration.ofHours(1))).isEqualTo(1);
        assertThat(ingestFiles()).containsExactly(d.hex() + ".partial");
    }

    @Test
    void concurrentPutsOfTheSameBlobAgree() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(7).nextBytes(data);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Descriptor>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> store.put(data, null)));
            }
            for (Future<Descriptor> f : fs) {
                assertThat(f.get().digest()).isEqualTo(Digest.of(data));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readAllBytes(store.blobPath(Digest.of(data)))).isEqualTo(data);
        assertThat(ingestFiles()).isEmpty();
    }

    @Test
    void missingBlobIsAClearError() {
        Digest d = Digest.of(bytes("absent"));
        assertThatThrownBy(() -> store.open(d)).hasMessageContaining("blob " + d + " is not in the store");
    }

    @Test
    void oversizedJsonReadIsRefused() throws IOException {
        Descriptor d = store.put(new byte[100], null);
        assertThatThrownBy(() -> store.read(d.digest(), 10)).hasMessageContaining("larger than 10 bytes");
    }
}
