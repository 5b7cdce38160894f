package io.berth.image.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.store.ContentStore;

/** Reading and checking the JSON documents of an image once their blobs are in the content store. */
final class Blobs {
    /** Manifests, indexes and configs are small; anything bigger is not one (and not worth reading into memory). */
    static final int MAX_JSON = 4 << 20;

    private Blobs() {
    }

    /** Loads a manifest and its config from the store and checks they fit together. */
    static ImportedImage loadImage(ContentStore store, Descriptor manifestDesc, List<String> names, String source) throws IOException {
        ImageManifest manifest = ManifestJson.read(store.read(manifestDesc.digest(), MAX_JSON), ImageManifest.class, "image manifest in " + source);
        if (manifest.config() == null) {
            throw new IOException("image manifest " + manifestDesc.digest() + " in " + source + " has no config");
        }
        Descriptor configDesc = manifest.config().toDescriptor();
        ImageConfig config = ManifestJson.read(store.read(configDesc.digest(), MAX_JSON), ImageConfig.class, "image config in " + source);
        checkLayers(manifest, config, source);
        return new ImportedImage(manifestDesc, manifest, config, names);
    }

    static void checkLayers(ImageManifest manifest, ImageConfig config, String source) throws IOException {
        List<String> diffIds = config.rootfs() == null || config.rootfs().diffIds() == null ? List.of() : config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new IOException("image in " + source + " is inconsistent: its manifest lists " + manifest.layers().size()
                    + " layers but its config has " + diffIds.size() + " diff_ids");
        }
        for (String d : diffIds) {
            Digest.parse(d);
        }
    }

    static List<Digest> diffIds(ImageConfig config) {
        List<Digest> out = new ArrayList<>();
        if (config.rootfs() != null && config.rootfs().diffIds() != null) {
            for (String d : config.rootfs().diffIds()) {
                out.add(Digest.parse(d));
            }
        }
        return out;
    }

    /** Writes an OCI manifest for a config and layers we assembled ourselves (docker-archive, rootfs tarballs). */
    static Descriptor writeManifest(ContentStore store, Descriptor config, List<Descriptor> layers) throws IOException {
        List<ManifestDescriptor> layerDescs = new ArrayList<>();
        for (Descriptor l : layers) {
            layerDescs.add(new ManifestDescriptor(l.mediaType(), l.digest().toString(), l.size(), null, null));
        }
        ImageManifest m = new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                new ManifestDescriptor(config.mediaType(), config.digest().toString(), config.size(), null, null), layerDescs);
        return store.put(ManifestJson.write(m), MediaTypes.OCI_MANIFEST);
    }
}
