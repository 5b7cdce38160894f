package io.berth.image.archive;

import java.util.List;

import io.berth.image.content.Descriptor;
import io.berth.image.manifest.ImageConfig;
import io.berth.image.manifest.ImageManifest;

/**
 * An image whose manifest, config and layer blobs are all verified and committed to the content
 * store, ready to be unpacked and named. {@code names} are the names the source suggested
 * (docker-archive RepoTags, an OCI ref.name annotation), possibly none.
 */
public record ImportedImage(Descriptor manifestDescriptor, ImageManifest manifest, ImageConfig config, List<String> names) {
    public ImportedImage {
        names = names == null ? List.of() : List.copyOf(names);
    }
}
