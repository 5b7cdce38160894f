package io.berth.image.store;

import java.nio.file.Path;
import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;

/** {@code image inspect}: the manifest, the config, and each layer bottom first with its ids, sizes and unpacked dir. */
public record ImageDetails(String name, Descriptor manifestDescriptor, ImageManifest manifest, ImageConfig config, List<Layer> layers) {
    public ImageDetails {
        layers = List.copyOf(layers);
    }

    /** One layer: blob digest and compressed size, diff_id, chain ID, and where it is unpacked. */
    public record Layer(Digest blob, String mediaType, long size, Digest diffId, Digest chainId, Path unpacked) {
    }

    public long size() {
        return manifest.config().size() + layers.stream().mapToLong(Layer::size).sum();
    }
}
