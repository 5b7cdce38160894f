package io.berth.apimachinery.labels;

/** A label selector that does not parse: {@link #reason()} names the first bad part. */
public final class InvalidSelectorException extends IllegalArgumentException {
    private final String selector;
    private final String reason;

    InvalidSelectorException(String selector, String reason) {
        super("invalid label selector \"" + selector + "\": " + reason);
        this.selector = selector;
        this.reason = reason;
    }

    public String selector() {
        return selector;
    }

    public String reason() {
        return reason;
    }
}
