package io.berth.orchestrator.security;

import io.berth.orchestrator.daemon.StateRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code $BERTH_HOME/kubeconfig} (0600), usable by kubectl and the console as it is. Rewritten on
 * every start once the API listens, so it always names the address and port actually served.
 * Two users: the bearer token (the current context) and the admin client certificate.
 */
public final class Kubeconfig {

    public static final String CLUSTER = "berth";
    public static final String CONTEXT = "berth";
    public static final String CERT_CONTEXT = "berth-cert";

    private Kubeconfig() {
    }

    public static void write(StateRoot root, String serverUrl, BearerToken token) {
        try {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("apiVersion", "v1");
            doc.put("kind", "Config");
            doc.put("clusters", List.of(Map.of("name", CLUSTER, "cluster", Map.of(
                    "server", serverUrl,
                    "certificate-authority-data", base64(Files.readAllBytes(root.caCertificate()))))));
            doc.put("users", List.of(
                    Map.of("name", CertificateAuthority.ADMIN_USER, "user", Map.of("token", token.value())),
                    Map.of("name", CertificateAuthority.ADMIN_USER + "-cert", "user", Map.of(
                            "client-certificate-data", base64(Files.readAllBytes(root.clientCertificate())),
                            "client-key-data", base64(Files.readAllBytes(root.clientKey()))))));
            doc.put("contexts", List.of(
                    Map.of("name", CONTEXT, "context", Map.of("cluster", CLUSTER, "user", CertificateAuthority.ADMIN_USER,
                            "namespace", "default")),
                    Map.of("name", CERT_CONTEXT, "context", Map.of("cluster", CLUSTER,
                            "user", CertificateAuthority.ADMIN_USER + "-cert", "namespace", "default"))));
            doc.put("current-context", CONTEXT);
            Pem.writePrivate(root.kubeconfig(), YAMLMapper.builder().build().writeValueAsString(doc));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + root.kubeconfig() + ": " + e.getMessage(), e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

}
