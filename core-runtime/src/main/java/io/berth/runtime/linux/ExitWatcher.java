package io.berth.runtime.linux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Learns of process exits for the whole JVM with one thread, whatever the number of processes:
 * every watched pidfd sits in one epoll set and the thread {@value #THREAD} waits on all of them.
 * A pidfd turns readable when its process exits, also for a process that is not this JVM's child
 * (a container adopted after a restart), so the same mechanism serves both.
 *
 * <p>Two daemon threads in all: the watcher, which runs each watch's callback (quick, never
 * blocking: it reads the status and hands on), and {@value #DISPATCH_THREAD}, which completes the
 * futures callers hold ({@link #dispatcher()}), so a caller's slow dependent action delays other
 * callers' notifications but never the reaping of exited processes.
 *
 * <p>Each watch has a token that is never reused. The epoll registration is one-shot and is not
 * removed by hand: closing the pidfd removes it (epoll drops a file when its last fd closes), and a
 * stale event for a cancelled token finds nothing in the map. So cancelling and closing need no
 * ordering with the watcher thread, and a pidfd number reused by a new watch cannot be confused.
 */
public final class ExitWatcher {
    static final String THREAD = "berth-exit-watcher";
    static final String DISPATCH_THREAD = "berth-exit-dispatch";
    private static final int BATCH = 64;

    private static volatile ExitWatcher shared;

    private final NativeLibrary nl;
    private final int epfd;
    private final Map<Long, Runnable> watches = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final ExecutorService dispatcher;

    private ExitWatcher(NativeLibrary nl) {
        this.nl = nl;
        long fd = nl.lib.berth_epoll_create();
        if (fd < 0) {
            throw new IllegalStateException("epoll_create1: " + nl.strerror((int) -fd));
        }
        this.epfd = (int) fd;
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, DISPATCH_THREAD));
        daemon(this::run, THREAD).start();
    }

    /** The JVM's watcher, started at the first call; its threads and epoll fd live as long as the JVM. */
    public static ExitWatcher shared() {
        ExitWatcher w = shared;
        if (w == null) {
            synchronized (ExitWatcher.class) {
                w = shared;
                if (w == null) {
                    w = new ExitWatcher(NativeLibrary.get());
                    shared = w;
                }
            }
        }
        return w;
    }

    /**
     * Runs {@code onExit} on the watcher thread once the process behind {@code pidfd} has exited
     * (at once if it already has). The callback must be quick and must not block: every other
     * exit waits behind it. The caller keeps owning the pidfd and closes it after cancelling.
     */
    public Watch watch(int pidfd, Runnable onExit) {
        long token = tokens.incrementAndGet();
        watches.put(token, onExit);
        long r = nl.lib.berth_epoll_add(epfd, pidfd, token);
        if (r < 0) {
            watches.remove(token);
            throw new IllegalStateException("cannot watch pidfd " + pidfd + " for its exit: epoll_ctl: " + nl.strerror((int) -r));
        }
        return new Watch(token);
    }

    /**
     * Where futures handed to callers are completed: one daemon thread, so dependent actions
     * attached without an executor run there in order and should not block for long (and must not
     * wait for another exit there: that exit's future would be completed by this same thread).
     */
    public Executor dispatcher() {
        return dispatcher;
    }

    /** How many watches have not fired or been cancelled yet. */
    public int watching() {
        return watches.size();
    }

    private void run() {
        long[] ready = new long[BATCH];
        for (;;) {
            long n = nl.lib.berth_epoll_wait(epfd, ready, BATCH, -1);
            if (n < 0) {
                // Only EBADF/EINVAL are possible, and neither can happen to our own epoll fd; do not spin.
                System.getLogger("io.berth.runtime").log(System.Logger.Level.ERROR, "exit watcher: epoll_wait: " + nl.strerror((int) -n));
                sleepQuietly();
                continue;
            }
            for (int i = 0; i < n; i++) {
                Runnable callback = watches.remove(ready[i]);
                if (callback == null) {
                    continue; // cancelled meanwhile
                }
                try {
                    callback.run();
                } catch (RuntimeException | Error e) {
                    // One broken callback must not stop every other exit from being seen.
                    System.getLogger("io.berth.runtime").log(System.Logger.Level.ERROR, "exit watcher: callback failed", e);
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One registration; {@link #cancel()} before closing the pidfd. */
    public final class Watch {
        private final long token;

        private Watch(long token) {
            this.token = token;
        }

        /** The callback will not run (unless it is running now). Idempotent. */
        public void cancel() {
            watches.remove(token);
        }
    }
}
