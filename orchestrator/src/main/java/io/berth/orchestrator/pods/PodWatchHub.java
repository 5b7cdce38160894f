package io.berth.orchestrator.pods;

import io.berth.orchestrator.api.ApiException;
import io.berth.orchestrator.store.WatchHistory;
import io.berth.orchestrator.store.WatchHistory.Change;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Pod changes for watchers: live ones fanned out in memory, and a watch from an older
 * resourceVersion first replayed from {@link WatchHistory} (in the database, so it also works
 * after a daemon restart). A version below the history's floor is answered 410 Expired, and the
 * client lists again, as with the apiserver.
 */
public final class PodWatchHub {

    /** A watcher's queue; closed by {@link #unsubscribe}. */
    public static final class Subscription {
        public final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    }

    private final WatchHistory history;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public PodWatchHub(WatchHistory history) {
        this.history = history;
    }

    /** Called with versions in increasing order, after commit, under the write lock. */
    public void publish(Change change) {
        for (Subscription s : subscribers) {
            s.queue.add(change);
        }
    }

    /**
     * Every change after {@code version}, then live ones. Under the write lock, so no write falls
     * between what the history returns and the live subscription.
     */
    public Subscription subscribe(long version) {
        long floor = history.floor();
        if (version < floor) {
            throw ApiException.gone("too old resource version: " + version + " (" + (floor + 1) + ")");
        }
        Subscription s = new Subscription();
        s.queue.addAll(history.since(version));
        subscribers.add(s);
        return s;
    }

    /** The daemon is stopping: open watches end (their clients reconnect to the next daemon). */
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }

    public void unsubscribe(Subscription s) {
        subscribers.remove(s);
    }
}
