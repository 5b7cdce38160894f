package io.berth.image.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.content.MediaTypes;
import io.berth.image.content.Progress;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.manifest.ManifestJson;
import io.berth.image.store.ImageStore;
import io.berth.image.store.ImageSummary;

/** Registers an image made of given layer tars the way a pull does: blobs into the content store, then register. */
public final class TestImages {
    private TestImages() {
    }

    public static ImageSummary register(ImageStore store, String name, byte[]... layerTars) throws IOException {
        List<String> diffIds = new ArrayList<>();
        List<ManifestDescriptor> layers = new ArrayList<>();
        for (byte[] tar : layerTars) {
            diffIds.add(Digest.of(tar).toString());
            byte[] gz = TarBuilder.gzip(tar);
            Descriptor d = store.content().put(gz, MediaTypes.OCI_LAYER_GZIP);
            layers.add(new ManifestDescriptor(MediaTypes.OCI_LAYER_GZIP, d.digest().toString(), d.size(), null, null));
        }
        ImageConfig config = new ImageConfig("amd64", "linux", null, "2026-01-01T00:00:00Z", null,
                new ImageConfig.RootFs("layers", diffIds));
        Descriptor c = store.content().put(ManifestJson.write(config), MediaTypes.OCI_CONFIG);
        ImageManifest m = new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                new ManifestDescriptor(MediaTypes.OCI_CONFIG, c.digest().toString(), c.size(), null, null), layers);
        Descriptor md = store.content().put(ManifestJson.write(m), MediaTypes.OCI_MANIFEST);
        return store.register(name, md, Progress.NONE);
    }
}
