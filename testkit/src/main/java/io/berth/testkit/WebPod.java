package io.berth.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A busybox pod serving HTTP on 127.0.0.1:8080 inside its own network namespace (so only a
 * connection made in that namespace, as port-forward's is, reaches it), and a plain HTTP/1.0 GET
 * for the tests that fetch through a forwarded port.
 */
public final class WebPod {
    /** What /index.html holds. */
    public static final String INDEX = "hello-from-the-pod\n";

    private WebPod() {
    }

    /** The pod's manifest: /www/index.html, and /www/big of {@code bigBytes} random bytes made inside the pod. */
    public static String yaml(String name, int bigBytes) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: busybox
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && head -c %d /dev/urandom > /www/big.tmp && mv /www/big.tmp /www/big && exec httpd -f -p 127.0.0.1:8080 -h /www"]
                """.formatted(name, bigBytes);
    }

    /** One GET on a new connection; the body, after checking for a 200 answer. */
    public static byte[] get(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int body = text.indexOf("\r\n\r\n");
            if (body < 0 || !text.substring(0, body).matches("(?s)HTTP/1\\.\\d 200 .*")) {
                throw new IOException("not an HTTP 200 answer: " + text.substring(0, Math.min(200, text.length())));
            }
            return Arrays.copyOfRange(all, body + 4, all.length);
        }
    }
}
