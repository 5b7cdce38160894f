package io.berth.image.store;

import java.util.NoSuchElementException;

/** A name the store does not know. */
public final class NoSuchImageException extends NoSuchElementException {
    public NoSuchImageException(String name) {
        super("no image named '" + name + "' in the store: import or pull it first (image ls lists what is there)");
    }
}
