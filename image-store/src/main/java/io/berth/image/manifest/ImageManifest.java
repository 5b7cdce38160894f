package io.berth.image.manifest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An OCI image manifest or a Docker schema 2 manifest: one config blob and the layers, bottom first. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageManifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("config") ManifestDescriptor config,
        @JsonProperty("layers") List<ManifestDescriptor> layers) {

    public ImageManifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
    }
}
