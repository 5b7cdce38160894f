package io.berth.orchestrator.pods;

import io.berth.orchestrator.api.ApiException;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Pod changes for watchers, and the recent history that lets a watch resume from a
 * resourceVersion (the apiserver's watch cache, in small). A version older than the history is
 * answered 410 Expired, and the client lists again, as with the apiserver.
 */
public final class PodWatchHub {

    /** How many changes a watch can resume across. */
    static final int HISTORY = 2000;

    public enum Type { ADDED, MODIFIED, DELETED }

    public record Change(Type type, long version, Pod pod) {
    }

    /** A watcher's queue; closed by {@link #unsubscribe}. */
    public static final class Subscription {
        public final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    }

    private final Deque<Change> history = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private long floor;
    private volatile boolean closed;

    /** @param latest the newest version at start: history begins after it */
    public PodWatchHub(long latest) {
        this.floor = latest;
    }

    /** Called with versions in increasing order (under the write lock). */
    public synchronized void publish(Change change) {
        history.addLast(change);
        while (history.size() > HISTORY) {
            floor = history.removeFirst().version();
        }
        for (Subscription s : subscribers) {
            s.queue.add(change);
        }
    }

    /** Every change after {@code version}, then live ones. */
    public synchronized Subscription subscribe(long version) {
        if (version < floor) {
            throw ApiException.gone("too old resource version: " + version + " (" + (floor + 1) + ")");
        }
        Subscription s = new Subscription();
        for (Change c : history) {
            if (c.version() > version) {
                s.queue.add(c);
            }
        }
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
