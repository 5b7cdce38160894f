package io.berth.runtime.cli;

/** A command cannot run as asked; the message says what to do instead. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
