package io.berth.image.reference;

/** A reference that does not parse; the message names it and the rule it breaks, on one line. */
public class InvalidReferenceException extends IllegalArgumentException {
    public InvalidReferenceException(String message) {
        super(message);
    }
}
