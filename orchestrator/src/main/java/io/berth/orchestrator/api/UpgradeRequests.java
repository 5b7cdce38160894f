package io.berth.orchestrator.api;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;

/** What the WebSocket subresources (exec, portforward) share before the upgrade: their query and path, and a refusal as a Status. */
final class UpgradeRequests {
    private UpgradeRequests() {
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
