package io.berth.image.registry;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that stops delivering data for longer than the timeout. HttpClient's
 * request timeout covers only the wait for headers; without this a registry that stalls mid-blob
 * would block the pull forever. Closing the stream from here makes the blocked read throw, and the
 * transfer resumes like any broken connection.
 */
final class StallGuard implements Closeable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-registry-stall-guard");
        t.setDaemon(true);
        return t;
    });

    private final InputStream body;
    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    StallGuard(InputStream body, Duration timeout) {
        this.body = body;
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(50, timeout.toMillis() / 4);
        this.check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    void progress() {
        lastProgress = System.nanoTime();
    }

    boolean stalled() {
        return stalled;
    }

    private void check() {
        if (System.nanoTime() - lastProgress > timeoutNanos) {
            stalled = true;
            check.cancel(false);
            try {
                body.close();
            } catch (IOException e) {
                // The reader sees the failure either way.
            }
        }
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}
