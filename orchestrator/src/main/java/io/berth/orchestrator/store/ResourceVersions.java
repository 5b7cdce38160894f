package io.berth.orchestrator.store;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * resourceVersion: one H2 sequence for every kind. Writes are serialised here, each in its own
 * transaction with the version it takes, so versions reach watchers in the order they were taken
 * and "latest" is always the version of the last committed write (what a list reports).
 */
@Component
public class ResourceVersions {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long latest = -1;

    public ResourceVersions(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Runs one write with a fresh version. The body runs in a transaction under the write lock; its
     * result is returned after commit (and the caller publishes watch events still under the lock,
     * through {@code afterCommit}), so nothing half-written is ever seen.
     */
    public <T> T write(LongFunction<T> body, java.util.function.Consumer<T> afterCommit) {
        lock.lock();
        try {
            long version = jdbc.sql("SELECT NEXT VALUE FOR resource_version").query(Long.class).single();
            T result = tx.execute(status -> body.apply(version));
            latest = version;
            afterCommit.accept(result);
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** A read that must see no write half-way (a list and the version it reports). */
    public <T> T read(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** The version of the last write (0 on an empty database). */
    public long latest() {
        long l = latest;
        if (l < 0) {
            lock.lock();
            try {
                if (latest < 0) {
                    // BASE_VALUE is the next value the sequence gives: deleted objects' versions count too.
                    latest = jdbc.sql("""
                            SELECT BASE_VALUE - 1 FROM INFORMATION_SCHEMA.SEQUENCES
                            WHERE SEQUENCE_SCHEMA = 'PUBLIC' AND SEQUENCE_NAME = 'RESOURCE_VERSION'""")
                            .query(Long.class).single();
                }
                l = latest;
            } finally {
                lock.unlock();
            }
        }
        return l;
    }
}
