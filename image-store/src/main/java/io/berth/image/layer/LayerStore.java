package io.berth.image.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.berth.image.content.Digest;

/**
 * Unpacked layers under {@code images/layers/<chainid-hex>/}, each unpacked once and shared
 * read-only by every image and container that has it. Directories are named by chain ID (the
 * layer's diff_id chained with everything below it), as containerd's snapshotter does, because a
 * layer's meaning depends on the layers under it only through its whiteouts; naming by chain keeps
 * "same stack, same dir" exact.
 *
 * <p>An unpack goes to {@code .tmp-<hex>-<random>}, is checked against the expected diff_id, synced
 * and renamed into place; a concurrent unpack of the same layer in this JVM waits for the first, and
 * one in another process loses the rename race harmlessly.
 */
public final class LayerStore {
    private static final String TMP_PREFIX = ".tmp-";
    private final Path dir;
    private final LayerUnpacker unpacker;
    private final ConcurrentHashMap<Digest, Object> locks = new ConcurrentHashMap<>();

    public LayerStore(Path layersDir, LayerUnpacker unpacker) throws IOException {
        this.dir = Files.createDirectories(layersDir);
        this.unpacker = unpacker;
    }

    /** A blob source that can be opened (once per unpack attempt). */
    @FunctionalInterface
    public interface BlobSource {
        InputStream open() throws IOException;
    }

    /** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)), per the OCI image spec. */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest chain = null;
        for (Digest diffId : diffIds) {
            chain = chain == null ? diffId : Digest.of((chain + " " + diffId).getBytes(StandardCharsets.US_ASCII));
            out.add(chain);
        }
        return out;
    }

    public Path path(Digest chainId) {
        return dir.resolve(chainId.hex());
    }

    public boolean has(Digest chainId) {
        return Files.isDirectory(path(chainId));
    }

    /**
     * Makes sure the layer with {@code chainId} is unpacked, unpacking {@code blob} if it is not.
     * The unpacked tar must hash to {@code diffId}; otherwise nothing is kept and the error says so.
     */
    public Path ensure(Digest chainId, Digest diffId, BlobSource blob) throws IOException {
        Path target = path(chainId);
        if (has(chainId)) {
            return target;
        }
        synchronized (locks.computeIfAbsent(chainId, k -> new Object())) {
            if (has(chainId)) {
                return target;
            }
            Path tmp = dir.resolve(TMP_PREFIX + chainId.hex() + "-" + UUID.randomUUID());
            try {
                UnpackResult r;
                try (InputStream in = blob.open()) {
                    r = unpacker.unpack(in, tmp);
                }
                if (!r.diffId().equals(diffId)) {
                    throw new LayerException("layer " + chainId + " unpacked to diff_id " + r.diffId()
                            + " but the image config says " + diffId + ": the image is corrupt; pull or import it again");
                }
                // One syncfs for the whole tree: after the rename, the layer must be complete even after a crash.
                Privileges.run(List.of("sync", "-f", tmp.toString()));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException otherProcessWon) {
                    // identical content by construction (same chain ID, verified diff_id)
                }
                return target;
            } finally {
                Trees.deleteQuietly(tmp);
                locks.remove(chainId);
            }
        }
    }

    public Set<Digest> list() throws IOException {
        Set<Digest> out = new HashSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".")) {
                    try {
                        out.add(new Digest(name));
                    } catch (IllegalArgumentException notALayer) {
                        // not ours
                    }
                }
            }
        }
        return out;
    }

    public void delete(Digest chainId) throws IOException {
        Trees.delete(path(chainId));
    }

    /** Removes temp dirs of unpacks that crashed; only call when no unpack is running (gc does). */
    public int cleanTemp() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
            for (Path p : s) {
                Trees.delete(p);
                n++;
            }
        }
        return n;
    }
}
