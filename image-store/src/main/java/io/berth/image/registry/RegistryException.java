package io.berth.image.registry;

/** A pull that cannot go on. The message is one line that says what went wrong and what to do. */
public class RegistryException extends RuntimeException {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
