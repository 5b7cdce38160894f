package io.berth.image.layer;

import java.io.IOException;

/**
 * A layer that cannot be unpacked safely or faithfully: a hostile entry, a limit exceeded, a digest
 * that does not match. The message names the entry and the rule it broke.
 */
public class LayerException extends IOException {
    public LayerException(String message) {
        super(message);
    }

    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
