package io.berth.image.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.manifest.ImageIndex;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.image.store.ContentStore;

/**
 * Imports one image from an OCI image layout (a directory with {@code oci-layout}, {@code index.json}
 * and {@code blobs/}), or from an oci-archive that {@link ArchiveImporter} has already read into a
 * {@link LayoutFiles}. Every blob is copied into the store and checked against its descriptor.
 */
public final class OciLayoutImporter {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private OciLayoutImporter() {
    }

    /** Where the files of a layout come from: a directory, or blobs already in the store. */
    interface LayoutFiles {
        /** The bytes of a small file ({@code index.json}, {@code oci-layout}), or null when absent. */
        byte[] small(String path) throws IOException;

        /** Makes sure the blob is in the store, verified against {@code d}. */
        void ensureBlob(Descriptor d) throws IOException;
    }

    public static ImportedImage fromDirectory(Path layout, String ref, Platform platform, ContentStore store, Progress progress) throws IOException {
        if (!Files.isDirectory(layout)) {
            throw new NoSuchFileException(layout.toString(), null, "OCI layout directory does not exist");
        }
        return load(new LayoutFiles() {
            @Override
            public byte[] small(String path) throws IOException {
                Path p = layout.resolve(path);
                if (!Files.isRegularFile(p)) {
                    return null;
                }
                if (Files.size(p) > Blobs.MAX_JSON) {
                    throw new IOException(p + " is larger than " + Blobs.MAX_JSON + " bytes: not an OCI layout file");
                }
                return Files.readAllBytes(p);
            }

            @Override
            public void ensureBlob(Descriptor d) throws IOException {
                if (store.has(d.digest())) {
                    return;
                }
                Path p = layout.resolve("blobs").resolve("sha256").resolve(d.digest().hex());
                if (!Files.isRegularFile(p)) {
                    throw new NoSuchFileException(p.toString(), null, "the layout " + layout + " is missing blob " + d.digest());
                }
                try (InputStream in = Files.newInputStream(p)) {
                    store.put(in, d.mediaType(), d, progress);
                }
            }
        }, "OCI layout " + layout, ref, platform, store);
    }

    static ImportedImage load(LayoutFiles files, String source, String ref, Platform platform, ContentStore store) throws IOException {
        byte[] marker = files.small("oci-layout");
        if (marker == null) {
            throw new IOException(source + " is not an OCI image layout: it has no oci-layout file");
        }
        Map<?, ?> layoutVersion = ManifestJson.read(marker, Map.class, "oci-layout file of " + source);
        if (!"1.0.0".equals(layoutVersion.get("imageLayoutVersion"))) {
            throw new IOException(source + " has imageLayoutVersion " + layoutVersion.get("imageLayoutVersion") + "; only 1.0.0 is supported");
        }
        byte[] indexBytes = files.small("index.json");
        if (indexBytes == null) {
            throw new IOException(source + " is not an OCI image layout: it has no index.json");
        }
        ImageIndex index = ManifestJson.read(indexBytes, ImageIndex.class, "index.json of " + source);
        ManifestDescriptor chosen = choose(index.manifests(), ref, source);
        List<String> names = new ArrayList<>();
        if (chosen.annotations() != null && chosen.annotations().get(REF_NAME) != null) {
            names.add(chosen.annotations().get(REF_NAME));
        }
        Descriptor desc = chosen.toDescriptor();
        // An index entry may itself be a (multi-platform) index: descend to the platform's manifest.
        for (int depth = 0; MediaTypes.isIndex(desc.mediaType()); depth++) {
            if (depth > 4) {
                throw new IOException(source + " nests image indexes too deeply");
            }
            files.ensureBlob(desc);
            ImageIndex nested = ManifestJson.read(store.read(desc.digest(), Blobs.MAX_JSON), ImageIndex.class, "image index in " + source);
            desc = forPlatform(nested.manifests(), platform, source).toDescriptor();
        }
        if (!MediaTypes.isManifest(desc.mediaType())) {
            throw new IOException(source + " points at " + desc.digest() + " of media type " + desc.mediaType() + ", which is not an image manifest");
        }
        files.ensureBlob(desc);
        ImageManifest manifest = ManifestJson.read(store.read(desc.digest(), Blobs.MAX_JSON), ImageManifest.class, "image manifest in " + source);
        if (manifest.config() == null) {
            throw new IOException("image manifest " + desc.digest() + " in " + source + " has no config");
        }
        files.ensureBlob(manifest.config().toDescriptor());
        for (ManifestDescriptor layer : manifest.layers()) {
            files.ensureBlob(layer.toDescriptor());
        }
        return Blobs.loadImage(store, desc, names, source);
    }

    private static ManifestDescriptor choose(List<ManifestDescriptor> entries, String ref, String source) throws IOException {
        if (entries.isEmpty()) {
            throw new IOException(source + " holds no images (its index.json lists no manifests)");
        }
        if (ref != null) {
            for (ManifestDescriptor m : entries) {
                if (m.annotations() != null && ref.equals(m.annotations().get(REF_NAME))) {
                    return m;
                }
            }
            throw new IOException(source + " has no image named '" + ref + "'; it has " + refNames(entries));
        }
        if (entries.size() == 1) {
            return entries.get(0);
        }
        if (entries.stream().allMatch(m -> m.platform() != null)) {
            return forPlatform(entries, null, source);
        }
        throw new IOException(source + " holds " + entries.size() + " images " + refNames(entries) + ": name the one to import");
    }

    private static ManifestDescriptor forPlatform(List<ManifestDescriptor> entries, Platform platform, String source) throws IOException {
        Platform want = platform == null ? Platform.DEFAULT : platform;
        for (ManifestDescriptor m : entries) {
            if (want.matches(m.platform())) {
                return m;
            }
        }
        List<String> have = new ArrayList<>();
        entries.forEach(m -> have.add(String.valueOf(m.platform())));
        throw new IOException(source + " has no image for platform " + want + "; it has " + have);
    }

    private static List<String> refNames(List<ManifestDescriptor> entries) {
        List<String> out = new ArrayList<>();
        for (ManifestDescriptor m : entries) {
            out.add(m.annotations() == null ? m.digest() : m.annotations().getOrDefault(REF_NAME, m.digest()));
        }
        return out;
    }

    static Digest digestOfBlobPath(String path) {
        String prefix = "blobs/sha256/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        try {
            return new Digest(path.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
