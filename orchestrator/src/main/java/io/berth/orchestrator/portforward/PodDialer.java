package io.berth.orchestrator.portforward;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.sandbox.NetnsThread;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;

/**
 * Opens a TCP connection to a port of a pod as the kubelet (through containerd or CRI-O) does: to
 * 127.0.0.1:PORT from inside the pod's network namespace, so a server bound to the pod's loopback
 * is reachable too. The failure text is the one kubectl users know from containerd.
 */
public final class PodDialer {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final PodRuntime runtime;

    public PodDialer(PodRuntime runtime) {
        this.runtime = runtime;
    }

    public Socket dial(ForwardTarget pod, int port) throws IOException {
        String netns;
        try {
            netns = runtime.networkNamespace(pod.uid());
        } catch (NoSuchElementException e) {
            throw new IOException("pod " + pod.name() + " is not running (" + e.getMessage() + ")");
        }
        try {
            return NetnsThread.call(netns, CONNECT_TIMEOUT.plusSeconds(1), "portforward-dial", () -> connect(netns, port), PodDialer::close);
        } catch (TimeoutException e) {
            throw new IOException("failed to connect to localhost:" + port + " inside namespace \"" + netns + "\": timed out");
        }
    }

    private static Socket connect(String netns, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw new IOException("failed to connect to localhost:" + port + " inside namespace \"" + netns
                    + "\", IPv4: dial tcp4 127.0.0.1:" + port + ": connect: " + e.getMessage().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to free
        }
    }
}
