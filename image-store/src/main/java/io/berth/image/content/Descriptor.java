package io.berth.image.content;

import java.util.Map;

/**
 * An OCI content descriptor: what a manifest says about a blob it points to. The size is checked
 * together with the digest when the blob arrives.
 */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations) {
    public Descriptor {
        if (size < 0) {
            throw new IllegalArgumentException("descriptor " + digest + " has a negative size " + size);
        }
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Map.of());
    }
}
