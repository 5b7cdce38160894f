package io.berth.image.registry;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How Berth talks to registries.
 *
 * @param insecureRegistries registries ({@code host} or {@code host:port}, as written in references) that
 *        may be reached over plain HTTP; loopback registries always may
 * @param credentials username/password per registry ({@code docker.io}, {@code 127.0.0.1:5000}); anonymous otherwise
 * @param maxRetries how many times a connection error, 5xx or 429 is retried (with backoff) before giving up
 * @param timeout connect timeout and the longest wait for a response's headers
 */
public record RegistryConfig(Set<String> insecureRegistries, Map<String, Credentials> credentials, int maxRetries, Duration timeout) {
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public RegistryConfig {
        insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries is " + maxRetries + ": use 0 for no retries");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("registry timeout is " + timeout + ": it must be positive");
        }
    }

    /** Anonymous, HTTPS except loopback, 3 retries, 30 s. */
    public static RegistryConfig defaults() {
        return new RegistryConfig(Set.of(), Map.of(), DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT);
    }

    public RegistryConfig withCredentials(String registry, Credentials creds) {
        var map = new java.util.HashMap<>(credentials);
        map.put(registry, creds);
        return new RegistryConfig(insecureRegistries, map, maxRetries, timeout);
    }

    public RegistryConfig withInsecure(String registry) {
        var set = new java.util.HashSet<>(insecureRegistries);
        set.add(registry);
        return new RegistryConfig(set, credentials, maxRetries, timeout);
    }

    public RegistryConfig withMaxRetries(int retries) {
        return new RegistryConfig(insecureRegistries, credentials, retries, timeout);
    }
}
