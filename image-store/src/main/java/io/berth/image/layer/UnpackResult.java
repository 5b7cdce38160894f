package io.berth.image.layer;

import java.util.List;

import io.berth.image.content.Digest;

/**
 * What unpacking a layer produced: the diff_id (sha256 of the uncompressed tar, to check against the
 * image config), the uncompressed size, the entry count, and the entries deliberately not reproduced
 * (device nodes without root, xattrs Java cannot set), each with its reason.
 */
public record UnpackResult(Digest diffId, long tarBytes, long entries, List<String> skipped) {
    public UnpackResult {
        skipped = List.copyOf(skipped);
    }
}
