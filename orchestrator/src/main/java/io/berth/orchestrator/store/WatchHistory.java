package io.berth.orchestrator.store;

import io.berth.orchestrator.api.ApiJson;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The recent pod changes in H2 ({@code watch_changes}, Flyway V3), so that a watch resumes from a
 * resourceVersion also after the daemon restarted: what the apiserver gets from etcd's history and
 * its watch cache. Each change is written in the same transaction as the pod write it describes
 * (callers hold {@link ResourceVersions}' write lock), so the history never has a change the pods
 * table lacks, or the reverse.
 *
 * <p>The window: the newest {@link #MAX_CHANGES} changes, none older than {@link #MAX_AGE} (etcd's
 * history lives from one 5-minute compaction to the next; Berth keeps more, as it costs one row
 * per write). Versions at or below {@link #floor()} may be pruned: a watch from there is 410
 * Expired, and the client lists again.
 */
@Repository
public class WatchHistory {

    public static final int MAX_CHANGES = 5000;
    public static final Duration MAX_AGE = Duration.ofHours(1);
    /** Pruning is one DELETE over an index: done every this many writes, not on each. */
    private static final int PRUNE_EVERY = 256;

    public enum Type { ADDED, MODIFIED, DELETED }

    public record Change(Type type, long version, Pod pod) {
    }

    private final JdbcClient jdbc;
    private final ApiJson json;
    private int sincePrune;

    public WatchHistory(JdbcClient jdbc, ApiJson json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Keeps one change; under the write lock, inside the write's transaction. */
    public void record(Change c, Instant now) {
        jdbc.sql("INSERT INTO watch_changes (resource_version, type, namespace, object, recorded_at) VALUES (?, ?, ?, ?, ?)")
                .params(c.version(), c.type().name(), c.pod().getMetadata().getNamespace(),
                        json.mapper().writeValueAsString(c.pod()), OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .update();
        if (++sincePrune >= PRUNE_EVERY) {
            sincePrune = 0;
            prune(now, MAX_CHANGES, MAX_AGE);
        }
    }

    /** Every kept change after {@code version}, oldest first; the caller checked {@link #floor()}. */
    public List<Change> since(long version) {
        return jdbc.sql("SELECT resource_version, type, object FROM watch_changes WHERE resource_version > ? ORDER BY resource_version")
                .param(version)
                .query((rs, n) -> new Change(Type.valueOf(rs.getString("type")), rs.getLong("resource_version"),
                        json.mapper().readValue(rs.getString("object"), Pod.class)))
                .list();
    }

    /** Changes at or below this version may be gone. */
    public long floor() {
        return jdbc.sql("SELECT resource_version FROM watch_floor WHERE id = 1").query(Long.class).single();
    }

    /**
     * Drops the changes beyond the newest {@code keep} and those older than {@code maxAge}, and
     * raises the floor past them. Under the write lock (the daemon's start and {@link #record}).
     */
    public void prune(Instant now, int keep, Duration maxAge) {
        Long byCount = jdbc.sql("SELECT resource_version FROM watch_changes ORDER BY resource_version DESC LIMIT 1 OFFSET ?")
                .param(keep).query(Long.class).optional().orElse(null);
        Long byAge = jdbc.sql("SELECT MAX(resource_version) FROM watch_changes WHERE recorded_at < ?")
                .param(OffsetDateTime.ofInstant(now.minus(maxAge), ZoneOffset.UTC)).query(Long.class).optional().orElse(null);
        long upTo = Math.max(byCount == null ? -1 : byCount, byAge == null ? -1 : byAge);
        if (upTo < 0) {
            return;
        }
        jdbc.sql("DELETE FROM watch_changes WHERE resource_version <= ?").param(upTo).update();
        jdbc.sql("UPDATE watch_floor SET resource_version = ? WHERE id = 1 AND resource_version < ?").params(upTo, upTo).update();
    }
}
