package io.berth.orchestrator.security;

import io.berth.orchestrator.daemon.StateRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The admin's bearer token: 256 random bits, made on first start, kept in {@code $BERTH_HOME/token} (0600). */
public final class BearerToken {

    private final byte[] value;

    private BearerToken(String value) {
        this.value = value.getBytes(StandardCharsets.US_ASCII);
    }

    public static BearerToken ensure(StateRoot root) {
        try {
            if (Files.exists(root.token())) {
                String existing = Files.readString(root.token(), StandardCharsets.US_ASCII).trim();
                if (!existing.isEmpty()) {
                    return new BearerToken(existing);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.token() + ": " + e.getMessage(), e);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Pem.writePrivate(root.token(), token + "\n");
        return new BearerToken(token);
    }

    public String value() {
        return new String(value, StandardCharsets.US_ASCII);
    }

    /** Constant time, so the comparison does not tell an attacker how much of a guess was right. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.US_ASCII));
    }
}
