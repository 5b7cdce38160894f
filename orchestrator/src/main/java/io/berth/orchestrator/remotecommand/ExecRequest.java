package io.berth.orchestrator.remotecommand;

import java.util.List;

/**
 * What one exec or attach asked for, checked before the upgrade: the pod and container exist and
 * the container runs, so a refusal is an HTTP Status the client shows as it is.
 *
 * @param command empty for attach
 */
public record ExecRequest(String namespace, String pod, String podUid, String container, List<String> command,
                          boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    public ExecRequest {
        command = List.copyOf(command);
    }

    /** The session attribute under which the handshake leaves the request for the handler. */
    public static final String ATTRIBUTE = ExecRequest.class.getName();
}
