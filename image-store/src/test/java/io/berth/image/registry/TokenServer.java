package io.berth.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.berth.image.manifest.ManifestJson;

/**
 * A Docker token server (the {@code realm} of a registry's {@code auth: token:} config) on
 * 127.0.0.1. It issues ES256 JWTs whose x5c header carries a self-signed certificate that the
 * registry trusts through {@link #rootCertBundle()}; the key and certificate come from the JDK's
 * keytool, so no openssl is needed. Users with the right password get what they ask for;
 * anonymous callers get pull access only while {@link #anonymousPull} is set.
 */
final class TokenServer implements AutoCloseable {
    static final String SERVICE = "berth-test-registry";
    static final String ISSUER = "berth-test-token-issuer";
    private static final char[] STORE_PASSWORD = "berth-test".toCharArray();

    private final HttpServer server;
    private final Map<String, String> users;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Path bundle;
    volatile boolean anonymousPull = true;
    /** One entry per token request: "user=<name or anonymous> scope=<scopes>". */
    final List<String> requests = new CopyOnWriteArrayList<>();

    TokenServer(Path dir, Map<String, String> users) throws Exception {
        this.users = Map.copyOf(users);
        Path store = dir.resolve("token-key.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=berth-test-token", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, STORE_PASSWORD);
        }
        key = (PrivateKey) ks.getKey("token", STORE_PASSWORD);
        cert = (X509Certificate) ks.getCertificate("token");
        bundle = dir.resolve("token-cert.pem");
        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    URI realm() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    Path rootCertBundle() {
        return bundle;
    }

    LocalRegistry.TokenAuth registryAuth() {
        return new LocalRegistry.TokenAuth(realm(), SERVICE, ISSUER, bundle);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String user = null;
            String authorization = ex.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                String[] login = authorization.startsWith("Basic ")
                        ? new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8).split(":", 2)
                        : new String[0];
                if (login.length != 2 || !login[1].equals(users.get(login[0]))) {
                    requests.add("user=" + (login.length > 0 ? login[0] : "?") + " rejected");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                user = login[0];
            }
            List<String> scopes = new ArrayList<>();
            String service = null;
            String query = ex.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                String[] kv = pair.split("=", 2);
                String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                if (kv[0].equals("scope")) {
                    scopes.add(value);
                } else if (kv[0].equals("service")) {
                    service = value;
                }
            }
            requests.add("user=" + (user == null ? "anonymous" : user) + " scope=" + String.join(" ", scopes));
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : scopes) {
                String[] parts = scope.split(":");
                if (parts.length != 3 || !parts[0].equals("repository")) {
                    continue;
                }
                List<String> actions = new ArrayList<>();
                for (String action : parts[2].split(",")) {
                    if (user != null || (anonymousPull && action.equals("pull"))) {
                        actions.add(action);
                    }
                }
                access.add(Map.of("type", "repository", "name", parts[1], "actions", actions));
            }
            long now = Instant.now().getEpochSecond();
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", ISSUER);
            claims.put("sub", user == null ? "" : user);
            claims.put("aud", service == null ? SERVICE : service);
            claims.put("exp", now + 300);
            claims.put("nbf", now - 10);
            claims.put("iat", now);
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("access", access);
            String token = sign(claims);
            byte[] body = ManifestJson.write(Map.of("token", token, "access_token", token, "expires_in", 300));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException("token server failed", e);
        }
    }

    private String sign(Map<String, Object> claims) throws Exception {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "ES256",
                "x5c", List.of(Base64.getEncoder().encodeToString(cert.getEncoded())));
        String signingInput = url.encodeToString(ManifestJson.write(header)) + "." + url.encodeToString(ManifestJson.write(claims));
        // JWS wants the raw r||s form, not DER.
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(s.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
