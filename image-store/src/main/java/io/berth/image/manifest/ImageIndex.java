package io.berth.image.manifest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An OCI image index or a Docker manifest list; also the shape of an OCI layout's index.json. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageIndex(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<ManifestDescriptor> manifests) {

    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
    }
}
