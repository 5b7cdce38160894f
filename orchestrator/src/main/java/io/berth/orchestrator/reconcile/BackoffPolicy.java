package io.berth.orchestrator.reconcile;

import java.time.Duration;

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

    public BackoffPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || reset.isNegative()) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and reset >= 0, got initial " + initial
                    + ", max " + max + ", reset " + reset);
        }
    }
}
