package io.berth.runtime.oci;

/** config.json cannot be run as written; the message says what to change. */
public class InvalidSpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String message) {
        super(message);
    }

    public InvalidSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
