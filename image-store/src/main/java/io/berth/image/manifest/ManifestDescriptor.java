package io.berth.image.manifest;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;

/** A descriptor as it appears in manifest and index JSON (with an optional platform). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ManifestDescriptor(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") String digest,
        @JsonProperty("size") long size,
        @JsonProperty("platform") Platform platform,
        @JsonProperty("annotations") Map<String, String> annotations) {

    /** The validated form; a bad digest or size in a manifest is an error naming it. */
    public Descriptor toDescriptor() {
        return new Descriptor(mediaType, Digest.parse(digest), size, annotations);
    }
}
