package io.berth.orchestrator.security;

import io.berth.orchestrator.api.ApiException;
import io.berth.orchestrator.api.ApiJson;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every request carries the admin's bearer token or a client certificate the daemon's CA signed
 * (Tomcat asks for one and verifies it against that CA alone); otherwise 401 with a Status body.
 * Only the health probes are open, as the apiserver's /livez and /readyz are.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class Authentication extends OncePerRequestFilter {

    private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    private final BearerToken token;
    private final ApiJson json;

    public Authentication(BearerToken token, ApiJson json) {
        this.token = token;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws ServletException, IOException {
        if (isOpen(req.getRequestURI()) || hasToken(req) || hasClientCertificate(req)) {
            chain.doFilter(req, resp);
            return;
        }
        ApiException e = ApiException.unauthorized();
        resp.setStatus(e.code());
        resp.setContentType("application/json");
        resp.getOutputStream().write(json.write(e.status()));
    }

    private static boolean isOpen(String uri) {
        return uri.equals("/actuator/health") || uri.startsWith("/actuator/health/");
    }

    private boolean hasToken(HttpServletRequest req) {
        String h = req.getHeader("Authorization");
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(h.substring(7).trim());
    }

    private static boolean hasClientCertificate(HttpServletRequest req) {
        // Present only when the TLS handshake verified the chain against the daemon's CA.
        return req.getAttribute(CLIENT_CERTIFICATES) instanceof X509Certificate[] chain && chain.length > 0;
    }
}
