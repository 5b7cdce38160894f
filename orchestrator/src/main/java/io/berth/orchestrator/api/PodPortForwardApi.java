package io.berth.orchestrator.api;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.portforward.ForwardTarget;
import io.berth.orchestrator.portforward.PodDialer;
import io.berth.orchestrator.portforward.PortForwardHandler;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.ArrayList;
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
 * pods/portforward as kubectl 1.30+ speaks it: a WebSocket upgrade with subprotocol
 * SPDY/3.1+portforward.k8s.io, then {@link PortForwardHandler}. A missing pod or one that is not
 * running is refused before the upgrade, as a Status; kubectl shows its message.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
public class PodPortForwardApi implements WebSocketConfigurer, HandshakeInterceptor {

    private static final Pattern PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/portforward");

    private final PodService pods;
    private final PodRuntime runtime;
    private final ApiJson json;

    public PodPortForwardApi(PodService pods, PodRuntime runtime, ApiJson json) {
        this.pods = pods;
        this.runtime = runtime;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // kubectl sends no Origin header; the bearer token, not the origin, is what admits a client
        registry.addHandler(new PortForwardHandler(new PodDialer(runtime)), "/api/v1/namespaces/*/pods/*/portforward")
                .addInterceptors(this).setAllowedOriginPatterns("*");
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                   Map<String, Object> attributes) throws IOException {
        try {
            ForwardTarget t = check(request);
            if (request.getMethod() != HttpMethod.GET) {
                throw ApiException.badRequest("port-forward is served over WebSocket only (GET with Upgrade: websocket and subprotocol "
                        + PortForwardHandler.SPDY_TUNNEL + "); a plain SPDY upgrade is not supported: use kubectl 1.30 or later");
            }
            attributes.put(ForwardTarget.ATTRIBUTE, t);
            // Tomcat drops a requested subprotocol that is not an RFC 7230 token ('/' is not allowed in
            // one), so it would answer without it and kubectl would give up; say it here instead.
            if (request.getHeaders().getOrEmpty("Sec-WebSocket-Protocol").stream()
                    .anyMatch(h -> List.of(h.split(",")).stream().map(String::trim).anyMatch(PortForwardHandler.SPDY_TUNNEL::equals))) {
                response.getHeaders().set("Sec-WebSocket-Protocol", PortForwardHandler.SPDY_TUNNEL);
            }
            return true;
        } catch (ApiException e) {
            return UpgradeRequests.refuse(response, e, json);
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception e) {
    }

    private ForwardTarget check(ServerHttpRequest request) {
        UpgradeRequests.Target t = UpgradeRequests.target(request, PATH, pods);
        Pod pod = t.pod();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Running".equals(phase)) {
            throw ApiException.badRequest("unable to forward port because pod is not running. Current status=" + phase);
        }
        List<Integer> ports = new ArrayList<>();
        for (String p : t.query().getOrDefault("ports", List.of())) {
            for (String one : p.split(",")) {
                ports.add(port(one.trim()));
            }
        }
        return new ForwardTarget(t.namespace(), t.name(), pod.getMetadata().getUid(), List.copyOf(ports));
    }

    private static int port(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("invalid port '" + s + "': a port is a number from 1 to 65535");
    }
}
