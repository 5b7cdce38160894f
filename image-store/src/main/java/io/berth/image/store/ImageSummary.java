package io.berth.image.store;

import io.berth.image.content.Digest;

/** One line of {@code image ls}: the name, the manifest digest, the compressed size (config + layers) and the config's created time. */
public record ImageSummary(String name, Digest digest, long size, String created) {
}
