package io.berth.orchestrator.remotecommand;

import java.util.List;

/**
 * The Kubernetes remote-command channel protocol over a WebSocket (client-go's
 * tools/remotecommand, KEP-4006): each binary frame starts with the channel's byte. v4 and v5 share
 * the channels; v5 adds {@link #CLOSE}, by which a client ends its stdin (so {@code kubectl exec -i}
 * with piped input lets the process see EOF).
 */
public final class Channels {
    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    /** In the server's order of preference; the client's order decides among them. */
    public static final List<String> PROTOCOLS = List.of(V5, V4);

    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    /** The outcome, once: a metav1.Status (Success, or Failure with reason NonZeroExitCode). */
    public static final int STATUS = 3;
    /** Terminal size from the client: {"Width":cols,"Height":rows}. */
    public static final int RESIZE = 4;
    /** v5: the sender closed its side of the channel named in the next byte. */
    public static final int CLOSE = 255;

    private Channels() {
    }
}
