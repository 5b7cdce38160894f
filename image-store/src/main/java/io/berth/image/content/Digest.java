package io.berth.image.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}. The only algorithm Berth accepts: it is the
 * one registries and the OCI image spec require, and refusing others keeps blob paths predictable.
 */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid sha256 digest hex '" + hex + "': expected 64 lowercase hex characters");
        }
    }

    /** Parses {@code sha256:<hex>}; anything else is an error that says what was expected. */
    public static Digest parse(String text) {
        if (text == null || !text.startsWith("sha256:")) {
            throw new IllegalArgumentException("invalid digest '" + text + "': expected sha256:<64 hex characters>");
        }
        return new Digest(text.substring("sha256:".length()));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    public static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    public static Digest of(byte[] content) {
        MessageDigest md = newSha256();
        md.update(content);
        return of(md);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
