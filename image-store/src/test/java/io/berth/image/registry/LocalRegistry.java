package io.berth.image.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.berth.image.reference.ImageReference;
import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * A real {@code docker-registry} (Debian package docker-registry) on 127.0.0.1, with its storage in a
 * private temporary directory. {@link #close()} stops it and removes the directory. Usable from any
 * test in image-store: {@code try (var reg = LocalRegistry.start()) { ... }}.
 */
public final class LocalRegistry implements AutoCloseable {
    /** How docker-registry must check bearer tokens (see {@link TokenServer}). */
    public record TokenAuth(URI realm, String service, String issuer, Path rootCertBundle) {
    }

    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** An open registry (no auth). Skips the test (fails on CI) without docker-registry. */
    public static LocalRegistry start() {
        return start(null);
    }

    /** A registry that demands bearer tokens from {@code auth.realm()} for everything. */
    public static LocalRegistry start(TokenAuth auth) {
        // The free port is only free until someone else takes it: another test run may win the race.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(auth);
            } catch (PortTaken e) {
                if (attempt == 3) {
                    throw new IllegalStateException("docker-registry could not bind a free port 3 times: " + e.getMessage());
                }
            }
        }
    }

    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }

    private static LocalRegistry startOnce(TokenAuth auth) {
        Path binary = Requirements.command("docker-registry", "docker-registry");
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("berth-registry-");
            int port = freePort();
            StringBuilder yaml = new StringBuilder()
                    .append("version: 0.1\n")
                    .append("log:\n  level: error\n  accesslog:\n    disabled: true\n")
                    .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                    .append("  delete:\n    enabled: true\n")
                    .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
            if (auth != null) {
                yaml.append("auth:\n  token:\n")
                        .append("    realm: ").append(auth.realm()).append('\n')
                        .append("    service: ").append(auth.service()).append('\n')
                        .append("    issuer: ").append(auth.issuer()).append('\n')
                        .append("    rootcertbundle: ").append(auth.rootCertBundle()).append('\n');
            }
            Path config = dir.resolve("config.yml");
            Files.writeString(config, yaml);
            Path log = dir.resolve("registry.log");
            process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalRegistry registry = new LocalRegistry(dir, port, process);
            registry.awaitReady(log);
            return registry;
        } catch (IOException e) {
            cleanUp(process, dir);
            throw new UncheckedIOException("cannot start docker-registry", e);
        } catch (RuntimeException | Error e) {
            cleanUp(process, dir);
            throw e;
        }
    }

    private static void cleanUp(Process process, Path dir) {
        if (process != null) {
            stop(process);
        }
        deleteQuietly(dir);
    }

    private void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String output = Files.readString(log);
                if (output.contains("address already in use")) {
                    throw new PortTaken(output.strip());
                }
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": " + output);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url().resolve("/v2/")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for docker-registry");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for docker-registry");
            }
        }
        throw new IllegalStateException("docker-registry did not answer on " + hostPort() + " within 20 s: " + Files.readString(log));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of references to this registry. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public URI url() {
        return URI.create("http://" + hostPort());
    }

    /** {@code repoAndTag} ("busybox:v1") in this registry. */
    public ImageReference ref(String repoAndTag) {
        return ImageReference.parse(hostPort() + "/" + repoAndTag);
    }

    @Override
    public void close() {
        stop(process);
        deleteQuietly(dir);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            BusyboxRootfs.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the registry directory " + dir, e);
        }
    }
}
