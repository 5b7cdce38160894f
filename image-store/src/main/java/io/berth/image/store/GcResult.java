package io.berth.image.store;

/** What {@link ImageStore#gc()} removed and how many bytes of blobs that freed. */
public record GcResult(int blobsRemoved, int layersRemoved, long bytesFreed, int tempRemoved) {
}
