package io.berth.image.store;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Where everything lives under a Berth state root (DESIGN.md "State on disk"), in one place. */
public record StoreLayout(Path root) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public StoreLayout {
        root = root.toAbsolutePath().normalize();
    }

    public Path images() {
        return root.resolve("images");
    }

    public Path layers() {
        return images().resolve("layers");
    }

    public Path indexFile() {
        return images().resolve("index.json");
    }

    public Path containers() {
        return root.resolve("containers");
    }

    public Path container(String id) {
        checkContainerId(id);
        return containers().resolve(id);
    }

    /** The file naming the image a container's rootfs is built from: what keeps that image's layers alive. */
    public Path containerImageFile(String id) {
        return container(id).resolve("image");
    }

    /** Container ids become directory names: refuse anything that could climb out of containers/. */
    public static void checkContainerId(String id) {
        if (id == null || !CONTAINER_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid container id '" + id
                    + "': use 1-128 letters, digits, '_', '.', '-', starting with a letter or digit");
        }
    }
}
