package io.berth.orchestrator.reconcile;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a crashing container (or a failing image pull) waits before the next attempt: the
 * kubelet's flowcontrol backoff. The first retry is immediate; then {@code initial}, doubling up to
 * {@code max}; a container whose last restart is more than {@code reset} ago starts again at
 * {@code initial} (the kubelet resets after twice the cap, 10 minutes).
 */
public record BackoffPolicy(Duration initial, Duration max, Duration reset) {
    /** The kubelet's defaults: 10 s doubling to 300 s, reset after 10 minutes. */
    public static final BackoffPolicy KUBELET = new BackoffPolicy(Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofMinutes(10));
    /** KEP-4603's reduced container restart delay: 1 s doubling to 60 s (reset after twice the cap, as the kubelet does). */
    public static final BackoffPolicy KEP_4603 = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(120));

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    /**
     * A policy by name, {@code kubelet} or {@code kep-4603}, or as {@code INITIAL,MAX,RESET} with
     * units ms, s, m or h ({@code 10s,300s,10m} is the kubelet's).
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    public static BackoffPolicy parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("kubelet")) {
            return KUBELET;
        }
        if (t.equals("kep-4603")) {
            return KEP_4603;
        }
        String[] parts = t.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + text + "' is neither kubelet, kep-4603 nor INITIAL,MAX,RESET (e.g. 10s,300s,10m)");
        }
        return new BackoffPolicy(duration(parts[0], text), duration(parts[1], text), duration(parts[2], text));
    }

    private static Duration duration(String part, String text) {
        Matcher m = DURATION.matcher(part.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + part.trim() + "' in '" + text + "' is not a duration such as 500ms, 10s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    public BackoffPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || reset.isNegative()) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and reset >= 0, got initial " + initial
                    + ", max " + max + ", reset " + reset);
        }
    }
}
