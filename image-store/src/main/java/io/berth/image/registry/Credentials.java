package io.berth.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A registry login. toString() hides the password so it never reaches a log line. */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty() || username.contains(":")) {
            throw new IllegalArgumentException("invalid registry username '" + username + "': it must be non-empty and contain no ':'");
        }
    }

    /** The value of an {@code Authorization: Basic} header. */
    String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
