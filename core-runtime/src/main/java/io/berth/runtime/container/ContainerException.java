package io.berth.runtime.container;

/**
 * A lifecycle operation cannot be done; the message says why and what to do. When what to do is
 * one of the runtime's own operations, it is a {@link Remedy}, worded here for a library caller;
 * the CLI words the same remedy as its flags.
 */
public class ContainerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What a caller can do about it with the runtime itself. */
    public enum Remedy {
        /** The container runs: stop it, or delete it with force. */
        STOP_OR_FORCE_DELETE("stop it first or delete it with force (ContainerRuntime.delete(id, true))"),
        /** A forced delete did not finish; a second one will retry what is left. */
        FORCE_DELETE_AGAIN("try a forced delete again (ContainerRuntime.delete(id, true))"),
        /** The container cannot be used any more; a forced delete removes what is left of it. */
        FORCE_DELETE("delete it with force (ContainerRuntime.delete(id, true))");

        private final String wording;

        Remedy(String wording) {
            this.wording = wording;
        }

        public String wording() {
            return wording;
        }
    }

    private final String problem;
    private final Remedy remedy;

    public ContainerException(String message) {
        super(message);
        this.problem = message;
        this.remedy = null;
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
        this.problem = message;
        this.remedy = null;
    }

    /** The message is {@code problem + "; " + remedy}, in the library's words. */
    public ContainerException(String problem, Remedy remedy) {
        super(problem + "; " + remedy.wording());
        this.problem = problem;
        this.remedy = remedy;
    }

    /** The message without the remedy. */
    public String problem() {
        return problem;
    }

    /** The remedy the message ends with; null when it names none of the runtime's operations. */
    public Remedy remedy() {
        return remedy;
    }
}
