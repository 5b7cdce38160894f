package io.berth.orchestrator.api;

import io.berth.orchestrator.pods.PodService;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;

/** What the WebSocket subresources (exec, attach, portforward) share before the upgrade: their pod, path and query, and a refusal as a Status. */
final class UpgradeRequests {
    private UpgradeRequests() {
    }

    /** A subresource request's pod as stored now, the subresource (the path's third group, if it has one), and its query. */
    record Target(String namespace, String name, String subresource, Pod pod, Map<String, List<String>> query) {
        String first(String key) {
            List<String> v = query.get(key);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /**
     * Matches the request's raw path against {@code path} (groups: namespace, name, and optionally
     * the subresource) and reads the pod: a 404 Status for a path that does not match or a pod that does not exist.
     */
    static Target target(ServerHttpRequest request, Pattern path, PodService pods) {
        Matcher m = path.matcher(request.getURI().getRawPath());
        if (!m.matches()) {
            throw ApiException.notFoundPath(request.getURI().getPath());
        }
        String namespace = decode(m.group(1));
        String name = decode(m.group(2));
        return new Target(namespace, name, m.groupCount() >= 3 ? m.group(3) : null, pods.get(namespace, name), query(request.getURI().getRawQuery()));
    }

    /** Answers the handshake with the Status instead of upgrading; @return false, for HandshakeInterceptor */
    static boolean refuse(ServerHttpResponse response, ApiException e, ApiJson json) throws IOException {
        response.setStatusCode(HttpStatus.valueOf(e.code()));
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getBody().write(json.write(e.status()));
        return false;
    }

    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
