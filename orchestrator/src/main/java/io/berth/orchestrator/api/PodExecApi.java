package io.berth.orchestrator.api;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.logs.PodLogs;
import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.remotecommand.AttachTarget;
import io.berth.orchestrator.remotecommand.Channels;
import io.berth.orchestrator.remotecommand.ExecHandler;
import io.berth.orchestrator.remotecommand.ExecRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * pods/exec and pods/attach as kubectl 1.30+ speaks them: a WebSocket upgrade with subprotocol v5.channel.k8s.io
 * (or v4), the process (or, for attach, the container's main process) then relayed by {@link ExecHandler}. Everything that can be refused is
 * refused before the upgrade, as an HTTP Status: kubectl shows that message (after retrying over
 * SPDY with a POST, which gets the same answer, or a Status saying that only WebSocket is spoken).
 * The bearer token is checked by the same filter as every other call.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
public class PodExecApi implements WebSocketConfigurer, HandshakeInterceptor {

    private static final Pattern PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach)");

    private final PodService pods;
    private final PodRuntime runtime;
    private final ApiJson json;
    private final PodLogs logs;

    public PodExecApi(PodService pods, PodRuntime runtime, ApiJson json, PodLogs logs) {
        this.pods = pods;
        this.runtime = runtime;
        this.json = json;
        this.logs = logs;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // kubectl sends no Origin header; the bearer token, not the origin, is what admits a client
        registry.addHandler(new ExecHandler(runtime, json::write), "/api/v1/namespaces/*/pods/*/exec", "/api/v1/namespaces/*/pods/*/attach")
                .addInterceptors(this).setAllowedOriginPatterns("*");
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                   Map<String, Object> attributes) throws IOException {
        try {
            ExecRequest r = check(request);
            if (request.getMethod() != HttpMethod.GET) {
                throw ApiException.badRequest(verb(request) + " is served over WebSocket only (GET with Upgrade: websocket and subprotocol "
                        + String.join(" or ", Channels.PROTOCOLS) + "); SPDY is not supported: use kubectl 1.30 or later");
            }
            attributes.put(ExecRequest.ATTRIBUTE, r);
            if (r.command().isEmpty()) {
                attributes.put(AttachTarget.ATTRIBUTE, attachTarget(r));
            }
            return true;
        } catch (ApiException e) {
            return UpgradeRequests.refuse(response, e, json);
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception e) {
    }

    private ExecRequest check(ServerHttpRequest request) {
        UpgradeRequests.Target t = UpgradeRequests.target(request, PATH, pods);
        Pod pod = t.pod();
        String name = t.name();
        String container = containerName(pod, t.first("container"));
        boolean attach = t.subresource().equals("attach");
        List<String> command = attach ? List.of() : t.query().getOrDefault("command", List.of());
        if (!attach && command.isEmpty()) {
            throw ApiException.badRequest("you must specify at least one command for the container");
        }
        boolean stdin = PodsApi.isTrue(t.first("stdin"));
        boolean stdout = PodsApi.isTrue(t.first("stdout"));
        boolean stderr = PodsApi.isTrue(t.first("stderr"));
        boolean tty = PodsApi.isTrue(t.first("tty"));
        if (!stdin && !stdout && !stderr) {
            throw ApiException.badRequest("you must specify at least 1 of stdin, stdout, stderr");
        }
        Container spec = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container)).findFirst().orElseThrow();
        if (attach && tty && !Boolean.TRUE.equals(spec.getTty())) {
            tty = false; // the container has no terminal to share (kubectl says so itself: "Unable to use a TTY")
        }
        if (tty && stderr) {
            stderr = false; // a terminal has one output stream, as the kubelet does
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            throw ApiException.badRequest("cannot " + (attach ? "attach to" : "exec into") + " a container in a completed pod; current phase is " + phase);
        }
        if (!running(pod, container)) {
            throw ApiException.badRequest("container \"" + container + "\" in pod \"" + name + "\" is not running");
        }
        return new ExecRequest(t.namespace(), name, pod.getMetadata().getUid(), container, command, stdin, stdout, stderr, tty);
    }

    /** The running container's monitor socket, or its live log when it has none; found now, so a refusal is a Status. */
    private AttachTarget attachTarget(ExecRequest r) {
        try {
            java.util.Optional<java.nio.file.Path> socket = runtime.attachSocket(r.podUid(), r.container());
            java.nio.file.Path log = logs.latest(r.podUid(), r.container()).orElseThrow();
            return new AttachTarget(socket, log, PodLogApi.stillWriting(pods, logs, r.podUid(), r.container(), log));
        } catch (java.util.NoSuchElementException e) {
            throw ApiException.badRequest("container \"" + r.container() + "\" in pod \"" + r.pod() + "\" is not running");
        }
    }

    private static String verb(ServerHttpRequest request) {
        return request.getURI().getPath().endsWith("/attach") ? "attach" : "exec";
    }

    private static String containerName(Pod pod, String wanted) {
        List<Container> cs = pod.getSpec().getContainers();
        if (wanted == null || wanted.isEmpty()) {
            if (cs.size() == 1) {
                return cs.get(0).getName();
            }
            throw ApiException.badRequest("a container name must be specified for pod " + pod.getMetadata().getName()
                    + ", choose one of: " + cs.stream().map(Container::getName).toList());
        }
        if (cs.stream().noneMatch(c -> c.getName().equals(wanted))) {
            throw ApiException.badRequest("container " + wanted + " is not valid for pod " + pod.getMetadata().getName());
        }
        return wanted;
    }

    private static boolean running(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return false;
        }
        for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
            if (s.getName().equals(container)) {
                return s.getState() != null && s.getState().getRunning() != null;
            }
        }
        return false;
    }
}
