package io.berth.orchestrator.portforward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The kubelet's other port-forward framing, v4.channel.k8s.io, which fabric8's client (and so
 * Berth's console) speaks: one WebSocket per forwarded connection, the ports in the {@code ports}
 * query parameter, and for the i-th port channel 2i for data and 2i+1 for errors; each message
 * starts with its channel's byte, and the server's first message on each channel carries the port
 * (two bytes, little-endian). The WebSocket closes when the pod's side does.
 */
final class ChannelTunnel implements Tunnel {
    static final String PROTOCOL = "v4.channel.k8s.io";

    private final Sink sink;
    private final List<PodConnection> connections = new ArrayList<>();
    private volatile boolean closed;

    ChannelTunnel(Sink sink, PodDialer dialer, ForwardTarget pod) {
        this.sink = sink;
        if (pod.ports().isEmpty()) {
            sink.close("query parameter \"ports\" is required for " + PROTOCOL);
            return;
        }
        for (int i = 0; i < pod.ports().size(); i++) {
            int port = pod.ports().get(i);
            int data = 2 * i;
            connections.add(new PodConnection(dialer, pod, port, new Peer(data)));
            send(new byte[] {(byte) data, (byte) port, (byte) (port >> 8)});
            send(new byte[] {(byte) (data + 1), (byte) port, (byte) (port >> 8)});
        }
        for (int i = 0; i < connections.size(); i++) {
            connections.get(i).start("portforward-" + pod.name() + "-" + pod.ports().get(i) + "-ws");
        }
    }

    @Override
    public void received(ByteBuffer message) {
        if (!message.hasRemaining()) {
            return;
        }
        int channel = message.get() & 0xff;
        if (channel % 2 != 0 || channel / 2 >= connections.size()) {
            return; // clients write nothing on error channels
        }
        byte[] b = new byte[message.remaining()];
        message.get(b);
        try {
            connections.get(channel / 2).write(b);
        } catch (IOException e) {
            connections.get(channel / 2).close();
            sink.close(e.getMessage());
        }
    }

    private void send(byte[] m) {
        if (!closed) {
            sink.sendOrClose(m);
        }
    }

    @Override
    public void closed() {
        closed = true;
        connections.forEach(PodConnection::close);
    }

    private final class Peer implements PodConnection.Peer {
        private final int channel;

        Peer(int channel) {
            this.channel = channel;
        }

        @Override
        public void data(byte[] b, int off, int len) {
            byte[] m = new byte[len + 1];
            m[0] = (byte) channel;
            System.arraycopy(b, off, m, 1, len);
            send(m);
        }

        @Override
        public void podClosed() {
            sink.close("");
        }

        @Override
        public void failed(String message) {
            byte[] t = message.getBytes(StandardCharsets.UTF_8);
            byte[] m = new byte[t.length + 1];
            m[0] = (byte) (channel + 1);
            System.arraycopy(t, 0, m, 1, t.length);
            send(m);
            sink.close("");
        }
    }
}
