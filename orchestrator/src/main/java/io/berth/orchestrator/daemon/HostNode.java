package io.berth.orchestrator.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one node: this host. Its name is what pods get as spec.nodeName and what {@code kubectl get
 * nodes} shows: the kernel's hostname (no DNS lookup on the start-up path), lower-cased as node
 * names must be.
 */
public record HostNode(String name) {

    public static HostNode detect() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase(Locale.ROOT);
            return new HostNode(h.isEmpty() ? "localhost" : h);
        } catch (IOException e) {
            return new HostNode("localhost");
        }
    }
}
