package io.berth.runtime.linux;

import java.util.List;
import java.util.Objects;

/**
 * One mount of a container, shaped like an OCI config.json mount: {@code destination} is a path
 * inside the container, {@code source} a host path for binds, {@code options} mount(8)-style words
 * (see {@link MountOptions}).
 */
public record MountSpec(String destination, String type, String source, List<String> options) {
    public MountSpec {
        Objects.requireNonNull(destination, "destination");
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination \"" + destination
                    + "\" is not absolute: give the path inside the container, e.g. /data");
        }
        options = options == null ? List.of() : List.copyOf(options);
    }
}
