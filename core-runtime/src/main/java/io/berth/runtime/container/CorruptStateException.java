package io.berth.runtime.container;

/**
 * A container's state.json cannot be read: nothing but a forced delete can be done with it, and
 * that removes its state and its default cgroup (see ContainerDelete).
 */
public final class CorruptStateException extends ContainerException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String problem) {
        super(problem, Remedy.FORCE_DELETE);
    }
}
