package io.berth.orchestrator.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's per-container backoff (client-go's flowcontrol.Backoff as kuberuntime uses it):
 * keyed by pod and container, measured from the moment the container last finished.
 *
 * <p>On each exit the worker asks {@link #inBackOffSince}: false means restart now and call
 * {@link #next}, which doubles the delay for the exit after that (the first restart is therefore
 * immediate, the second waits {@code initial}); true means wait, as CrashLoopBackOff, until
 * {@link #retryAt}.
 */
public final class RestartBackoff {
    private record Entry(Duration backoff, Instant lastUpdate) {
    }

    private final BackoffPolicy policy;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public RestartBackoff(BackoffPolicy policy) {
        this.policy = policy;
    }

    /** True while {@code now} is within the current delay after {@code finishedAt}. */
    public boolean inBackOffSince(String key, Instant finishedAt, Instant now) {
        Entry e = entries.get(key);
        // Expiry is judged by the exit's time, not now (flowcontrol's hasExpired(eventTime, lastUpdate)):
        // a run that lasted longer than the reset starts the delays over.
        if (e == null || expired(e, finishedAt)) {
            return false;
        }
        return Duration.between(finishedAt, now).compareTo(e.backoff) < 0;
    }

    /** When the container that finished at {@code finishedAt} may be restarted. */
    public Instant retryAt(String key, Instant finishedAt) {
        Entry e = entries.get(key);
        return e == null ? finishedAt : finishedAt.plus(e.backoff);
    }

    /** The current delay (for the kubelet's message "back-off 40s restarting failed container=..."). */
    public Duration current(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.backoff;
    }

    /** Records a restart made for the exit at {@code eventTime}: the next exit waits twice as long. */
    public void next(String key, Instant eventTime) {
        entries.compute(key, (k, e) -> {
            if (e == null || Duration.between(e.lastUpdate, eventTime).compareTo(policy.reset()) > 0) {
                return new Entry(policy.initial(), eventTime);
            }
            Duration doubled = e.backoff.multipliedBy(2);
            return new Entry(doubled.compareTo(policy.max()) > 0 ? policy.max() : doubled, eventTime);
        });
    }

    /** Restores an entry from the records after a daemon restart. */
    public void restore(String key, Duration backoff, Instant lastUpdate) {
        entries.put(key, new Entry(backoff, lastUpdate));
    }

    public Instant lastUpdate(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.lastUpdate;
    }

    public void forget(String keyPrefix) {
        entries.keySet().removeIf(k -> k.startsWith(keyPrefix));
    }

    private boolean expired(Entry e, Instant eventTime) {
        return Duration.between(e.lastUpdate, eventTime).compareTo(policy.reset()) > 0;
    }

    /** Go's time.Duration.String, as the kubelet's messages print delays: 10s, 5m0s, 1m20s, 200ms, 1.5s. */
    public static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long h = ms / 3_600_000;
        long m = (ms / 60_000) % 60;
        long s = (ms / 1000) % 60;
        long frac = ms % 1000;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            b.append(m).append('m');
        }
        b.append(s);
        if (frac > 0) {
            String f = String.format("%03d", frac).replaceAll("0+$", "");
            b.append('.').append(f);
        }
        return b.append('s').toString();
    }
}
