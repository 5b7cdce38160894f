package io.berth.orchestrator.daemon;

import io.berth.orchestrator.BerthDaemon;
import io.berth.orchestrator.security.BearerToken;
import io.berth.orchestrator.security.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The training run of the daemon's JDK 25 AOT cache ({@code bin/berth --build-aot-cache}): one JVM
 * starts a daemon on a fresh state root, stops it, and starts it again on the same root (a restart,
 * the common start), each time asking its API what a client asks first, over HTTPS. The cache then
 * holds what a whole start loads and links: a first start's and a restart's, the web server's start
 * and its first TLS handshakes and requests (the Spring MVC set-up a first request makes), and the
 * stop. Trained only up to the context's refresh (as before), a start loaded some 1,700 classes from
 * the jars, about a second of its CPU (docs/benchmarks.md, "Daemon start to API ready").
 * Usage: {@code DaemonTraining STATE-DIR} (a directory that does not exist yet).
 */
public final class DaemonTraining {
    private DaemonTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || Files.exists(Path.of(args[0]))) {
            System.err.println("usage: DaemonTraining STATE-DIR (a directory that does not exist yet)");
            System.exit(2);
        }
        DaemonOptions options = new DaemonOptions(new StateRoot(Path.of(args[0])), DaemonOptions.DEFAULT_ADDRESS, 0);
        for (int start = 0; start < 2; start++) {
            try (BerthDaemon.Running daemon = BerthDaemon.start(options)) {
                int port = ((WebServerApplicationContext) daemon.context()).getWebServer().getPort();
                SSLContext tls = CertificateAuthority.trustingOnly(options.root().caCertificate());
                String token = BearerToken.ensure(options.root()).value();
                for (String path : new String[] {"/actuator/health/readiness", "/api/v1/namespaces/default/pods",
                        "/api/v1/namespaces/default/pods/training", "/api/v1/nodes", "/api/v1/namespaces/default/events", "/version"}) {
                    get(tls, "https://127.0.0.1:" + port + path, token);
                }
            }
        }
        System.exit(0); // the node side's pools need not wind down; the JVM writes the cache as it exits
    }

    private static void get(SSLContext tls, String url, String token) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) URI.create(url).toURL().openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        c.setRequestProperty("Authorization", "Bearer " + token);
        int code = c.getResponseCode();
        try (InputStream in = code < HttpURLConnection.HTTP_BAD_REQUEST ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
    }
}
