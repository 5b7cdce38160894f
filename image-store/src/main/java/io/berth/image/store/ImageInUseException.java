package io.berth.image.store;

import java.util.List;

/** Refusal to remove an image that containers still use. */
public final class ImageInUseException extends IllegalStateException {
    public ImageInUseException(String name, List<String> containers) {
        super("image '" + name + "' is used by container(s) " + containers + ": delete them first, or force the removal "
                + "(the layers stay until those containers are gone)");
    }
}
