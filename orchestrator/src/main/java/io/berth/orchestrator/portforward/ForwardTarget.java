package io.berth.orchestrator.portforward;

/** The pod a port-forward session reaches, checked before the upgrade; kept in the WebSocket session's attributes. */
public record ForwardTarget(String namespace, String name, String uid, java.util.List<Integer> ports) {
    public static final String ATTRIBUTE = ForwardTarget.class.getName();
}
