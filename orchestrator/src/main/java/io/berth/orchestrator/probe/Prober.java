package io.berth.orchestrator.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import io.berth.orchestrator.sandbox.NetnsThread;
import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.ExecProcess;
import io.berth.runtime.container.ExitResult;
import io.berth.runtime.linux.Signals;
import io.berth.runtime.container.ContainerIo;
import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;

/**
 * Runs one probe as the kubelet's prober does: exec in the container (exit 0 is success), a TCP
 * connect, or an HTTP GET whose status is 200-399. The pod's network namespace has only its own
 * {@code lo}, so TCP and HTTP probes run inside it through {@link NetnsThread}.
 */
public final class Prober {
    private final ContainerRuntime runtime;

    public Prober(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * @param containerId the runtime container to exec in
     * @param netns       {@code /proc/<pause pid>/ns/net}
     */
    public ProbeResult run(Probe probe, String containerId, String netns, int containerPort) {
        Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null || probe.getTimeoutSeconds() < 1 ? 1 : probe.getTimeoutSeconds());
        try {
            if (probe.getExec() != null) {
                return exec(probe.getExec(), containerId, timeout);
            }
            if (probe.getTcpSocket() != null) {
                TCPSocketAction t = probe.getTcpSocket();
                return inNetns(netns, timeout, () -> tcp(host(t.getHost()), port(t.getPort(), containerPort), timeout));
            }
            if (probe.getHttpGet() != null) {
                HTTPGetAction h = probe.getHttpGet();
                return inNetns(netns, timeout, () -> http(h, port(h.getPort(), containerPort), timeout));
            }
            return ProbeResult.failure("probe has no exec, tcpSocket or httpGet handler (grpc is not supported)");
        } catch (RuntimeException e) {
            return ProbeResult.failure(e.getMessage());
        }
    }

    private static String host(String h) {
        return h == null || h.isEmpty() ? "127.0.0.1" : h;
    }

    /** Named ports are resolved by the caller ({@code containerPort}); a number is used as is. */
    private static int port(IntOrString p, int named) {
        if (p == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (p.getIntVal() != null) {
            return p.getIntVal();
        }
        if (named > 0) {
            return named;
        }
        throw new IllegalArgumentException("probe port '" + p.getStrVal() + "' names no container port");
    }

    private ProbeResult exec(ExecAction a, String containerId, Duration timeout) {
        Path out;
        try {
            out = Files.createTempFile("berth-probe-", ".out");
        } catch (IOException e) {
            return ProbeResult.failure("cannot make a file for the probe's output: " + e.getMessage());
        }
        try {
            // In the container's working directory, as the kubelet's exec probes (CRI ExecSync) run.
            Spec.Process p = DefaultSpec.processBuilder().args(a.getCommand())
                    .cwd(io.berth.orchestrator.kuberuntime.ContainerSpecs.workingDir(runtime.state(containerId))).build();
            ContainerIo.Output o = ContainerIo.Output.file(out);
            try (ExecProcess e = runtime.exec(containerId, p, ContainerIo.of(ContainerIo.Input.devNull(), o, o))) {
                Optional<ExitResult> r = e.waitFor(timeout);
                if (r.isEmpty()) {
                    e.kill(Signals.SIGKILL);
                    e.waitFor();
                    return ProbeResult.failure("command timed out: " + a.getCommand() + " timed out after " + timeout.toSeconds() + "s");
                }
                String output = Files.readString(out).trim();
                return r.get().exitCode() == 0 ? ProbeResult.ok()
                        : ProbeResult.failure(output.isEmpty() ? "command " + a.getCommand() + " exited with " + r.get().exitCode() : output);
            }
        } catch (IOException | RuntimeException e) {
            return ProbeResult.failure(e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a temp file left behind is not the probe's failure
            }
        }
    }

    private interface Check {
        ProbeResult run() throws IOException;
    }

    private static ProbeResult inNetns(String netns, Duration timeout, Check check) {
        try {
            return NetnsThread.call(netns, timeout.plusSeconds(1), "probe-netns", check::run, r -> { });
        } catch (IOException | RuntimeException e) {
            return ProbeResult.failure(e.getMessage());
        } catch (TimeoutException e) {
            return ProbeResult.failure("probe timed out after " + timeout.toSeconds() + "s");
        }
    }

    private static ProbeResult tcp(String host, int port, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return ProbeResult.ok();
        } catch (IOException e) {
            return ProbeResult.failure("dial tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** HTTP/1.1 by hand on a plain socket: no client library's connection pool may carry a socket across namespaces. */
    private static ProbeResult http(HTTPGetAction h, int port, Duration timeout) throws IOException {
        if (h.getScheme() != null && h.getScheme().equalsIgnoreCase("HTTPS")) {
            return ProbeResult.failure("HTTPS probes are not supported yet");
        }
        String host = host(h.getHost());
        String path = h.getPath() == null || h.getPath().isEmpty() ? "/" : h.getPath();
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n");
        List<HTTPHeader> headers = h.getHttpHeaders() == null ? List.of() : h.getHttpHeaders();
        for (HTTPHeader hd : headers) {
            req.append(hd.getName()).append(": ").append(hd.getValue()).append("\r\n");
        }
        req.append("\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            String[] status = line.toString().trim().split(" ");
            if (status.length < 2 || !status[0].startsWith("HTTP/")) {
                return ProbeResult.failure("malformed HTTP response: '" + line.toString().trim() + "'");
            }
            int code = Integer.parseInt(status[1]);
            return code >= 200 && code < 400 ? ProbeResult.ok() : ProbeResult.failure("HTTP probe failed with statuscode: " + code);
        } catch (IOException e) {
            return ProbeResult.failure("Get \"http://" + host + ":" + port + path + "\": " + e.getMessage());
        }
    }
}
