package io.berth.image.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.berth.image.archive.ArchiveImporter;
import io.berth.image.archive.ImportedImage;
import io.berth.image.archive.OciLayoutImporter;
import io.berth.image.archive.RootfsImporter;
import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.layer.LayerStore;
import io.berth.image.layer.LayerUnpacker;
import io.berth.image.layer.UnpackLimits;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageIndex;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.image.reference.ImageReference;
import io.berth.image.registry.RegistryClient;

/**
 * The image store facade: imports (OCI layouts, oci/docker archives, rootfs tarballs and URLs),
 * names, ls/inspect/rm, garbage collection, and which containers use which image.
 *
 * <p>An image gets its name only after all its blobs are verified in the content store and all its
 * layers are unpacked, so a name never points at half an image. Names live in
 * {@code images/index.json} (an OCI index whose entries carry the name as
 * {@code org.opencontainers.image.ref.name}), rewritten atomically. A container that uses an image
 * records the manifest digest in {@code containers/<id>/image}; rm refuses while one exists unless
 * forced, and gc keeps everything such a file names even after the name is gone.
 *
 * <p>Imports and pulls hold the read side of a lock and gc the write side, so gc never deletes a
 * blob an import in this process has just stored but not yet named. One process (the daemon) owns a
 * state root; two processes writing one root are not coordinated beyond atomic renames.
 */
public final class ImageStore {
    private static final int MAX_JSON = 4 << 20;
    /** Ingest files this old belong to no running import or pull. */
    private static final Duration STALE_INGEST = Duration.ofHours(1);

    private final StoreLayout layout;
    private final ContentStore content;
    private final LayerStore layers;
    private final Platform platform;
    private final UnpackLimits limits;
    private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
    private final Object indexLock = new Object();

    public ImageStore(Path root) throws IOException {
        this(root, UnpackLimits.DEFAULT, Platform.DEFAULT);
    }

    public ImageStore(Path root, UnpackLimits limits, Platform platform) throws IOException {
        this.layout = new StoreLayout(root);
        this.content = new ContentStore(layout.images());
        this.layers = new LayerStore(layout.layers(), new LayerUnpacker(limits));
        this.platform = platform;
        this.limits = limits;
        Files.createDirectories(layout.containers());
    }

    public StoreLayout layout() {
        return layout;
    }

    /** For pulls: download into {@link ContentStore#ingestPath}, {@link ContentStore#commit}, then {@link #register}. */
    public ContentStore content() {
        return content;
    }

    // ---- imports -------------------------------------------------------------------------------

    /** Imports the image {@code sourceRef} (or the only one) from an OCI layout directory, named {@code name} (or its ref.name). */
    public ImageSummary importLayout(Path layoutDir, String sourceRef, String name, Progress progress) throws IOException {
        return ingest(() -> OciLayoutImporter.fromDirectory(layoutDir, sourceRef, platform, content, progress), name, progress);
    }

    /** Imports from an oci-archive or docker-archive tarball (recognised by content), named {@code name} (or its own tag). */
    public ImageSummary importArchive(Path tarball, String sourceRef, String name, Progress progress) throws IOException {
        return ingest(() -> ArchiveImporter.importArchive(tarball, sourceRef, platform, content, limits.maxBytes(), progress), name, progress);
    }

    /** Imports a root filesystem tarball (any compression) as a one-layer image called {@code name}. */
    public ImageSummary importRootfs(Path tarball, String name, Progress progress) throws IOException {
        checkName(name);
        return ingest(() -> RootfsImporter.importTarball(tarball, content, limits.maxBytes(), progress), name, progress);
    }

    /** Downloads a root filesystem tarball and imports it; with {@code expectedSha256}, anything else is refused. */
    public ImageSummary importRootfsUrl(URI url, Digest expectedSha256, String name, Progress progress) throws IOException {
        checkName(name);
        return ingest(() -> RootfsImporter.importUrl(url, expectedSha256, content, limits.maxBytes(), progress), name, progress);
    }

    /**
     * Pulls {@code ref} for {@code platform} from its registry and names it {@code ref}'s canonical
     * form ({@code docker.io/library/busybox:latest}); layers the store has are not downloaded again,
     * and an interrupted download resumes.
     */
    public ImageSummary pull(ImageReference ref, Platform platform, RegistryClient client, Progress progress) throws IOException {
        gcLock.readLock().lock();
        try {
            return RegistryPull.run(this, client, ref, platform, progress);
        } finally {
            gcLock.readLock().unlock();
        }
    }

    /**
     * Names an image whose manifest, config and layer blobs are already committed to
     * {@link #content()} (a registry pull), unpacking its layers first.
     */
    public ImageSummary register(String name, Descriptor manifest, Progress progress) throws IOException {
        checkName(name);
        return ingest(() -> {
            ImageManifest m = ManifestJson.read(content.read(manifest.digest(), MAX_JSON), ImageManifest.class, "image manifest " + manifest.digest());
            if (m.config() == null) {
                throw new IOException(manifest.digest() + " is not an image manifest (no config); an index must be resolved "
                        + "to one platform's manifest before it is registered");
            }
            ImageConfig c = ManifestJson.read(content.read(m.config().toDescriptor().digest(), MAX_JSON), ImageConfig.class, "image config");
            return new ImportedImage(manifest, m, c, List.of());
        }, name, progress);
    }

    @FunctionalInterface
    private interface Importer {
        ImportedImage run() throws IOException;
    }

    private ImageSummary ingest(Importer importer, String name, Progress progress) throws IOException {
        if (name != null) {
            checkName(name);
        }
        gcLock.readLock().lock();
        try {
            ImportedImage image = importer.run();
            String finalName = canonical(name != null ? name : image.names().stream().findFirst().orElseThrow(() ->
                    new IllegalArgumentException("the imported image carries no name of its own: give it one")));
            unpackLayers(image.manifest(), image.config(), progress);
            tag(finalName, image.manifestDescriptor());
            return summary(finalName, image.manifestDescriptor().digest());
        } finally {
            gcLock.readLock().unlock();
        }
    }

    private void unpackLayers(ImageManifest manifest, ImageConfig config, Progress progress) throws IOException {
        List<Digest> diffIds = diffIds(config);
        if (diffIds.size() != manifest.layers().size()) {
            throw new IOException("image is inconsistent: its manifest lists " + manifest.layers().size()
                    + " layers but its config has " + diffIds.size() + " diff_ids");
        }
        List<Digest> chains = LayerStore.chainIds(diffIds);
        for (int i = 0; i < chains.size(); i++) {
            Descriptor blob = manifest.layers().get(i).toDescriptor();
            if (!content.has(blob.digest())) {
                throw new NoSuchFileException(content.blobPath(blob.digest()).toString(), null, "layer blob " + blob.digest() + " is not in the store");
            }
            progress.update(blob.digest(), 0, blob.size());
            layers.ensure(chains.get(i), diffIds.get(i), () -> new ProgressStream(content.open(blob.digest()), blob, progress));
            progress.update(blob.digest(), blob.size(), blob.size());
        }
    }

    // ---- names ---------------------------------------------------------------------------------

    /**
     * Names are image references kept in canonical form, as Docker and containerd name them:
     * {@code busybox} is stored, listed and found as {@code docker.io/library/busybox:latest}.
     */
    static String canonical(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("invalid image name '" + name + "': give a reference such as alpine:3.20");
        }
        return ImageReference.parse(name).toString();
    }

    static void checkName(String name) {
        canonical(name);
    }

    private void tag(String givenName, Descriptor manifest) throws IOException {
        String name = canonical(givenName);
        synchronized (indexLock) {
            List<ManifestDescriptor> entries = new ArrayList<>(readIndex().manifests());
            entries.removeIf(e -> name.equals(nameOf(e)));
            entries.add(new ManifestDescriptor(manifest.mediaType() == null ? MediaTypes.OCI_MANIFEST : manifest.mediaType(),
                    manifest.digest().toString(), manifest.size(), null, Map.of(OciLayoutImporter.REF_NAME, name)));
            writeIndex(new ImageIndex(2, MediaTypes.OCI_INDEX, entries));
        }
    }

    private ImageIndex readIndex() throws IOException {
        Path f = layout.indexFile();
        if (!Files.exists(f)) {
            return new ImageIndex(2, MediaTypes.OCI_INDEX, List.of());
        }
        return ManifestJson.read(Files.readAllBytes(f), ImageIndex.class, "image index " + f);
    }

    private void writeIndex(ImageIndex index) throws IOException {
        Path f = layout.indexFile();
        Path tmp = f.resolveSibling(".index.json." + UUID.randomUUID());
        try {
            Files.write(tmp, ManifestJson.write(index), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ContentStore.fsyncDir(f.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String nameOf(ManifestDescriptor e) {
        return e.annotations() == null ? null : e.annotations().get(OciLayoutImporter.REF_NAME);
    }

    /** The manifest digest a name points at, if any. */
    public Optional<Digest> resolve(String givenName) throws IOException {
        String name = canonical(givenName);
        synchronized (indexLock) {
            for (ManifestDescriptor e : readIndex().manifests()) {
                if (name.equals(nameOf(e))) {
                    return Optional.of(Digest.parse(e.digest()));
                }
            }
        }
        return Optional.empty();
    }

    private Digest require(String name) throws IOException {
        return resolve(name).orElseThrow(() -> new NoSuchImageException(name));
    }

    // ---- ls / inspect --------------------------------------------------------------------------

    public List<ImageSummary> list() throws IOException {
        List<ImageSummary> out = new ArrayList<>();
        List<ManifestDescriptor> entries;
        synchronized (indexLock) {
            entries = readIndex().manifests();
        }
        for (ManifestDescriptor e : entries) {
            out.add(summary(nameOf(e), Digest.parse(e.digest())));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    private ImageSummary summary(String name, Digest manifest) throws IOException {
        ImageDetails d = details(name, manifest);
        return new ImageSummary(name, manifest, d.size(), d.config().created());
    }

    public ImageDetails inspect(String name) throws IOException {
        return details(canonical(name), require(name));
    }

    private ImageDetails details(String name, Digest manifestDigest) throws IOException {
        ImageManifest m = ManifestJson.read(content.read(manifestDigest, MAX_JSON), ImageManifest.class, "image manifest " + manifestDigest);
        Descriptor configDesc = m.config().toDescriptor();
        ImageConfig c = ManifestJson.read(content.read(configDesc.digest(), MAX_JSON), ImageConfig.class, "image config " + configDesc.digest());
        List<Digest> diffIds = diffIds(c);
        List<Digest> chains = LayerStore.chainIds(diffIds);
        List<ImageDetails.Layer> ls = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor l = m.layers().get(i).toDescriptor();
            ls.add(new ImageDetails.Layer(l.digest(), l.mediaType(), l.size(), diffIds.get(i), chains.get(i), layers.path(chains.get(i))));
        }
        return new ImageDetails(name, new Descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, content.size(manifestDigest)), m, c, ls);
    }

    private static List<Digest> diffIds(ImageConfig c) {
        List<Digest> out = new ArrayList<>();
        if (c.rootfs() != null && c.rootfs().diffIds() != null) {
            for (String d : c.rootfs().diffIds()) {
                out.add(Digest.parse(d));
            }
        }
        return out;
    }

    // ---- users, rm, gc -------------------------------------------------------------------------

    /**
     * Records that container {@code containerId} uses image {@code name} (creating
     * {@code containers/<id>/}), and returns the image's details, whose layers then stay until
     * {@link #release(String)}.
     */
    public ImageDetails use(String containerId, String givenName) throws IOException {
        StoreLayout.checkContainerId(containerId);
        String name = canonical(givenName);
        gcLock.readLock().lock();
        try {
            Digest digest = require(name);
            Path f = layout.containerImageFile(containerId);
            Files.createDirectories(f.getParent());
            Files.writeString(f, digest + "\n" + name + "\n", StandardCharsets.UTF_8);
            return details(name, digest);
        } finally {
            gcLock.readLock().unlock();
        }
    }

    /** The image container {@code containerId} uses (per its image file), if it has one; works after the name is gone. */
    public Optional<ImageDetails> usedBy(String containerId) throws IOException {
        Path f = layout.containerImageFile(containerId);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(f + " is empty: fix or delete container " + containerId + "'s record");
        }
        String name = lines.size() > 1 ? lines.get(1).strip() : null;
        return Optional.of(details(name, Digest.parse(lines.get(0).strip())));
    }

    public void release(String containerId) throws IOException {
        Files.deleteIfExists(layout.containerImageFile(containerId));
    }

    /** Containers (by id) whose image file names {@code manifest}. */
    public List<String> users(Digest manifest) throws IOException {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Digest> u : allUsers().entrySet()) {
            if (u.getValue().equals(manifest)) {
                out.add(u.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    private Map<String, Digest> allUsers() throws IOException {
        Map<String, Digest> out = new java.util.HashMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.containers())) {
            for (Path dir : s) {
                Path f = dir.resolve("image");
                if (Files.isRegularFile(f)) {
                    String first = Files.readAllLines(f, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                    try {
                        out.put(dir.getFileName().toString(), Digest.parse(first.strip()));
                    } catch (IllegalArgumentException corrupt) {
                        throw new IOException(f + " does not start with an image digest: fix or delete container "
                                + dir.getFileName() + "'s record", corrupt);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Removes the name, then collects what nothing references any more. Refused while a container
     * uses the image unless {@code force}; forced, the layers those containers use are kept by gc.
     */
    public GcResult remove(String givenName, boolean force) throws IOException {
        String name = canonical(givenName);
        synchronized (indexLock) {
            Digest digest = require(name);
            List<String> users = users(digest);
            if (!users.isEmpty() && !force) {
                throw new ImageInUseException(name, users);
            }
            List<ManifestDescriptor> entries = new ArrayList<>(readIndex().manifests());
            entries.removeIf(e -> name.equals(nameOf(e)));
            writeIndex(new ImageIndex(2, MediaTypes.OCI_INDEX, entries));
        }
        return gc();
    }

    /** Deletes blobs and unpacked layers that no named image and no container references, and stale temp files. */
    public GcResult gc() throws IOException {
        gcLock.writeLock().lock();
        try {
            Set<Digest> roots = new HashSet<>();
            synchronized (indexLock) {
                for (ManifestDescriptor e : readIndex().manifests()) {
                    roots.add(Digest.parse(e.digest()));
                }
            }
            roots.addAll(allUsers().values());
            Set<Digest> liveBlobs = new HashSet<>();
            Set<Digest> liveLayers = new HashSet<>();
            for (Digest root : roots) {
                if (!content.has(root)) {
                    continue; // a dangling name is reported by inspect; it pins nothing
                }
                ImageManifest m = ManifestJson.read(content.read(root, MAX_JSON), ImageManifest.class, "image manifest " + root);
                liveBlobs.add(root);
                Digest config = m.config().toDescriptor().digest();
                liveBlobs.add(config);
                m.layers().forEach(l -> liveBlobs.add(l.toDescriptor().digest()));
                if (content.has(config)) {
                    liveLayers.addAll(LayerStore.chainIds(diffIds(
                            ManifestJson.read(content.read(config, MAX_JSON), ImageConfig.class, "image config " + config))));
                }
            }
            int blobs = 0;
            long freed = 0;
            for (Digest d : content.list()) {
                if (!liveBlobs.contains(d)) {
                    freed += content.size(d);
                    content.delete(d);
                    blobs++;
                }
            }
            int layerCount = 0;
            for (Digest chain : layers.list()) {
                if (!liveLayers.contains(chain)) {
                    layers.delete(chain);
                    layerCount++;
                }
            }
            int temp = layers.cleanTemp() + content.cleanIngest(STALE_INGEST);
            return new GcResult(blobs, layerCount, freed, temp);
        } finally {
            gcLock.writeLock().unlock();
        }
    }

    /** The unpacked layer dirs of an image, top layer first (overlayfs lowerdir order). */
    public List<Path> lowerDirs(ImageDetails image) {
        List<Path> out = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            out.add(image.layers().get(i).unpacked());
        }
        return out;
    }

    /** Reports bytes of a layer blob as the unpacker reads them. */
    private static final class ProgressStream extends FilterInputStream {
        private final Descriptor blob;
        private final Progress progress;
        private long done;
        private long reported;

        ProgressStream(InputStream in, Descriptor blob, Progress progress) {
            super(in);
            this.blob = blob;
            this.progress = progress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                done += n;
                if (done - reported >= (1 << 20)) {
                    reported = done;
                    progress.update(blob.digest(), done, blob.size());
                }
            }
            return n;
        }
    }
}
