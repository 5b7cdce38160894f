package io.berth.shell;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A stand-in for the daemon during the AOT training run (not used at run time): HTTPS on
 * loopback with a P-256 certificate made by the JDK's keytool, answering the read-only requests
 * the console's commands make with {@link TrainingDocuments}. Training against it puts the TLS
 * handshake, the certificate check against the kubeconfig's CA and fabric8's reading of real
 * answers into the cache: a one-shot {@code get pods} does all of these, a training run against a
 * closed port did none. Anything else gets a 404 Status, as from the daemon.
 */
final class TrainingServer implements AutoCloseable {
    private final HttpsServer server;
    private final String caData;

    private TrainingServer(HttpsServer server, String caData) {
        this.server = server;
        this.caData = caData;
    }

    /** Null when keytool cannot make the certificate: the training then runs against a closed port only. */
    static TrainingServer start(Path dir) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        char[] password = "training".toCharArray();
        if (!keytool(keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-alias", "server", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "training")
                || !keytool(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
                        "-storepass", "training", "-file", cert.toString())) {
            return null;
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.createContext("/", TrainingServer::answer);
            server.start();
            return new TrainingServer(server, Base64.getEncoder().encodeToString(Files.readAllBytes(cert)));
        } catch (java.security.GeneralSecurityException e) {
            return null;
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The kubeconfig's certificate-authority-data: the server's own (self-signed) certificate. */
    String caData() {
        return caData;
    }

    private static boolean keytool(Path keytool, String... args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void answer(HttpExchange x) throws IOException {
        try (x) {
            x.getRequestBody().transferTo(OutputStream.nullOutputStream());
            String path = x.getRequestURI().getPath();
            String body = "GET".equals(x.getRequestMethod()) ? TrainingDocuments.answer(path) : null;
            int code = 200;
            String type = path.equals("/actuator/prometheus") ? "text/plain; version=0.0.4" : "application/json";
            if (body == null) {
                code = 404;
                body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"training\",\"reason\":\"NotFound\",\"code\":404}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", type);
            x.sendResponseHeaders(code, bytes.length);
            new ByteArrayInputStream(bytes).transferTo(x.getResponseBody());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
