package io.berth.orchestrator.remotecommand;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What an attach connects to, found before the upgrade: the running container's monitor socket,
 * else (a run made before every run had a monitor) its live log file, followed while
 * {@code running} says the container may still write it.
 */
public record AttachTarget(Optional<Path> socket, Path log, BooleanSupplier running) {
    /** The session attribute under which the handshake leaves the target for the handler. */
    public static final String ATTRIBUTE = AttachTarget.class.getName();
}
