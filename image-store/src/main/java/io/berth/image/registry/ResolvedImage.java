package io.berth.image.registry;

import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;
import io.berth.image.manifest.ManifestDescriptor;
import io.berth.image.reference.ImageReference;

/**
 * An image manifest chosen for one platform, with its config, both already verified against their
 * digests. The layers still have to be fetched ({@link RegistryClient#fetchBlob}).
 *
 * @param ref the reference as asked for
 * @param manifestDigest the digest of {@code manifestBytes} (the platform's manifest, not the index)
 * @param mediaType the manifest's media type (OCI or Docker schema 2)
 */
public record ResolvedImage(ImageReference ref, Digest manifestDigest, String mediaType, byte[] manifestBytes,
                            ImageManifest manifest, byte[] configBytes, ImageConfig config) {

    /** The config blob's descriptor (already fetched and verified into {@link #configBytes()}). */
    public Descriptor configDescriptor() {
        return manifest.config().toDescriptor();
    }

    /** The layer descriptors, bottom first; RegistryClient.resolve has already validated them. */
    public List<Descriptor> layers() {
        return manifest.layers().stream().map(ManifestDescriptor::toDescriptor).toList();
    }
}
