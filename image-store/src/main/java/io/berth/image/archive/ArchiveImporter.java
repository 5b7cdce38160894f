package io.berth.image.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.berth.image.content.Descriptor;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.layer.Compression;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.manifest.Platform;
import io.berth.image.store.ContentStore;

/**
 * Imports an image from a tarball holding several files: an oci-archive (a tar of an OCI layout, as
 * {@code skopeo copy ... oci-archive:} writes) or a docker-archive (what {@code docker save} writes:
 * {@code manifest.json}, a config {@code <id>.json}, and a {@code layer.tar} per layer). The format
 * is recognised from the files inside, and the tarball may itself be compressed.
 *
 * <p>The archive is read in one pass, without extracting it: every file is streamed straight into
 * the content store (so nothing in the archive is ever written under a name it chose), and small
 * JSON files are kept in memory. {@code docker save} puts {@code manifest.json} last, so the
 * interpretation happens after the pass; blobs the image does not use are left for gc.
 */
public final class ArchiveImporter {
    /** JSON kept in memory per archive; past this (a hostile archive full of .json), files go to the store like blobs. */
    private static final long MAX_IN_MEMORY = 32L << 20;

    private static final String ACCEPTED = "give an oci-archive or a docker-archive (skopeo copy ... oci-archive:FILE or"
            + " docker-archive:FILE, docker save), " + TarCheck.COMPRESSIONS + "; a root filesystem tarball is imported as a rootfs";

    private ArchiveImporter() {
    }

    /** One entry of docker-archive's manifest.json. */
    record DockerManifestEntry(
            @JsonProperty("Config") String config,
            @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {
    }

    public static ImportedImage importArchive(Path tarball, String ref, Platform platform, ContentStore store, long maxBytes, Progress progress) throws IOException {
        if (!Files.isRegularFile(tarball)) {
            throw new NoSuchFileException(tarball.toString(), null, "image archive does not exist");
        }
        String source = "archive " + tarball;
        Contents contents = read(tarball, store, maxBytes, source);
        if (contents.has("oci-layout")) {
            return OciLayoutImporter.load(contents.asLayout(source), "oci-" + source, ref, platform, store);
        }
        if (contents.has("manifest.json")) {
            return docker(contents, ref, store, source);
        }
        throw new IOException(tarball + " is neither an oci-archive (no oci-layout file) nor a docker-archive (no manifest.json)");
    }

    /** The files of an archive: small JSON in memory, the rest as verified blobs in the store. */
    private static final class Contents {
        final Map<String, byte[]> small = new HashMap<>();
        final Map<String, Descriptor> stored = new HashMap<>();
        final Map<String, String> links = new HashMap<>();
        final ContentStore store;

        Contents(ContentStore store) {
            this.store = store;
        }

        boolean has(String name) {
            String real = resolve(name);
            return small.containsKey(real) || stored.containsKey(real);
        }

        String resolve(String name) {
            for (int i = 0; i < 16 && links.containsKey(name); i++) {
                name = links.get(name);
            }
            return name;
        }

        /** The named file as a blob in the store (storing it if it was only held in memory). */
        Descriptor blob(String name, String mediaType, String source) throws IOException {
            String real = resolve(normalize(name));
            Descriptor d = stored.get(real);
            if (d == null && small.containsKey(real)) {
                d = store.put(small.get(real), mediaType);
                stored.put(real, d);
            }
            if (d == null) {
                throw new IOException(source + " references '" + name + "', which is not in the archive");
            }
            return new Descriptor(mediaType, d.digest(), d.size());
        }

        byte[] bytes(String name, String source) throws IOException {
            String real = resolve(normalize(name));
            if (small.containsKey(real)) {
                return small.get(real);
            }
            Descriptor d = stored.get(real);
            if (d == null) {
                throw new IOException(source + " references '" + name + "', which is not in the archive");
            }
            return store.read(d.digest(), Blobs.MAX_JSON);
        }

        OciLayoutImporter.LayoutFiles asLayout(String source) {
            return new OciLayoutImporter.LayoutFiles() {
                @Override
                public byte[] small(String path) throws IOException {
                    return has(path) ? bytes(path, source) : null;
                }

                @Override
                public void ensureBlob(Descriptor d) throws IOException {
                    Descriptor got = blob("blobs/sha256/" + d.digest().hex(), d.mediaType(), source);
                    if (!got.digest().equals(d.digest()) || got.size() != d.size()) {
                        throw new IOException(source + ": blob " + d.digest() + " (" + d.size() + " bytes) in the archive hashes to "
                                + got.digest() + " (" + got.size() + " bytes): the archive is corrupt");
                    }
                }
            };
        }
    }

    private static Contents read(Path tarball, ContentStore store, long maxBytes, String source) throws IOException {
        Contents c = new Contents(store);
        long inMemory = 0;
        try (InputStream raw = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(TarCheck.requireTar(
                     new LimitedInputStream(Compression.decompress(raw), maxBytes, source), source, ACCEPTED), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = normalize(e.getName());
                if (e.isSymbolicLink() || e.isLink()) {
                    // docker save links repeated layers to the first copy; links are only names here, never followed on disk
                    String target = e.isLink() ? normalize(e.getLinkName()) : normalize(resolveSibling(name, e.getLinkName()));
                    c.links.put(name, target);
                } else if (e.isFile()) {
                    if (e.getSize() <= Blobs.MAX_JSON && isSmallDocument(name) && inMemory + e.getSize() <= MAX_IN_MEMORY) {
                        inMemory += e.getSize();
                        c.small.put(name, tar.readAllBytes());
                    } else {
                        c.stored.put(name, store.put(tar, null, null, Progress.NONE));
                    }
                }
            }
        } catch (TarCheck.NotATarException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot read " + source + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static boolean isSmallDocument(String name) {
        return name.equals("oci-layout") || name.equals("index.json") || name.equals("manifest.json")
                || name.equals("repositories") || (!name.contains("/") && name.endsWith(".json"));
    }

    private static ImportedImage docker(Contents c, String ref, ContentStore store, String source) throws IOException {
        DockerManifestEntry[] entries = ManifestJson.read(c.bytes("manifest.json", source), DockerManifestEntry[].class, "manifest.json of " + source);
        DockerManifestEntry chosen = null;
        if (ref != null) {
            for (DockerManifestEntry e : entries) {
                if (e.repoTags() != null && e.repoTags().contains(ref)) {
                    chosen = e;
                }
            }
            if (chosen == null) {
                throw new IOException(source + " has no image tagged '" + ref + "'");
            }
        } else if (entries.length == 1) {
            chosen = entries[0];
        } else {
            List<String> tags = new ArrayList<>();
            for (DockerManifestEntry e : entries) {
                tags.add(String.valueOf(e.repoTags()));
            }
            throw new IOException(source + " holds " + entries.length + " images " + tags + ": name the one to import");
        }
        if (chosen.config() == null || chosen.layers() == null) {
            throw new IOException("manifest.json of " + source + " has an entry without Config or Layers");
        }
        Descriptor config = c.blob(chosen.config(), MediaTypes.OCI_CONFIG, source);
        List<Descriptor> layers = new ArrayList<>();
        for (String layer : chosen.layers()) {
            Descriptor raw = c.blob(layer, null, source);
            layers.add(new Descriptor(layerMediaType(store, raw), raw.digest(), raw.size()));
        }
        Descriptor manifest = Blobs.writeManifest(store, config, layers);
        return Blobs.loadImage(store, manifest, chosen.repoTags(), source);
    }

    /** docker save writes plain tars, newer versions may compress: record what the bytes are. */
    static String layerMediaType(ContentStore store, Descriptor blob) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(store.open(blob.digest()))) {
            return switch (Compression.detect(in)) {
                case GZIP -> MediaTypes.OCI_LAYER_GZIP;
                case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
                case XZ -> MediaTypes.OCI_LAYER + "+xz";
                case NONE -> MediaTypes.OCI_LAYER;
            };
        }
    }

    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    private static String resolveSibling(String name, String target) {
        if (target.startsWith("/")) {
            return target;
        }
        List<String> parts = new ArrayList<>(List.of(name.split("/")));
        parts.remove(parts.size() - 1);
        for (String t : target.split("/")) {
            if (t.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else if (!t.isEmpty() && !t.equals(".")) {
                parts.add(t);
            }
        }
        return String.join("/", parts);
    }
}
