package io.berth.orchestrator.network;

/**
 * A network that could not be set up or torn down: a missing plugin, a broken config, or a plugin's
 * error result ({@code code}, {@code msg}, {@code details} as the CNI spec's error JSON). The
 * message is what the pod's FailedCreatePodSandBox event says.
 */
public final class CniException extends RuntimeException {
    private final Integer code;

    public CniException(String message, Integer code) {
        super(message);
        this.code = code;
    }

    /** The plugin's error code (spec: 1-99 well-known, 100+ plugin-specific); null when no plugin said one. */
    public Integer code() {
        return code;
    }
}
