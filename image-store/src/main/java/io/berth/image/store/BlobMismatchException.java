package io.berth.image.store;

import java.io.IOException;

import io.berth.image.content.Descriptor;
import io.berth.image.content.Digest;

/** Content that is not what its descriptor promised: corrupt, truncated or substituted. */
public final class BlobMismatchException extends IOException {
    public BlobMismatchException(Descriptor expected, Digest actual, long actualSize) {
        super(actual == null
                ? "blob " + expected.digest() + " is longer than the " + expected.size() + " bytes its descriptor says: refusing it"
                : "blob " + expected.digest() + " (" + expected.size() + " bytes) arrived as " + actual + " ("
                        + actualSize + " bytes): the content is corrupt or was substituted; fetch it again");
    }
}
