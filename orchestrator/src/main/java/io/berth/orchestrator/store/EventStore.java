package io.berth.orchestrator.store;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** core/v1 Events in H2, deduplicated like the kubelet's correlator (same object, type, reason, message). */
@Repository
public class EventStore {

    public static final String SOURCE_COMPONENT = "kubelet";
    /** The apiserver's default --event-ttl: older events are dropped, so the table does not grow forever. */
    public static final java.time.Duration TTL = java.time.Duration.ofHours(1);

    private final JdbcClient jdbc;

    public EventStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records one occurrence: a new event, or count + 1 on the matching one. Returns it as stored. */
    public Event record(ObjectReference involved, String type, String reason, String message, String host,
                        long version, Instant now) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        jdbc.sql("DELETE FROM events WHERE last_timestamp < ?").param(at.minus(TTL)).update();
        Optional<String> same = jdbc.sql("""
                SELECT uid FROM events WHERE involved_uid = ? AND type = ? AND reason = ? AND message = ?""")
                .params(involved.getUid(), type, reason, message).query(String.class).optional();
        String uid;
        if (same.isPresent()) {
            uid = same.get();
            jdbc.sql("UPDATE events SET count = count + 1, last_timestamp = ?, resource_version = ? WHERE uid = ?")
                    .params(at, version, uid).update();
        } else {
            uid = UUID.randomUUID().toString();
            // The apiserver's convention: the object's name and a unique hex suffix.
            String name = involved.getName() + "." + Long.toHexString(System.currentTimeMillis() * 1_000_000L + (version % 1_000_000L));
            jdbc.sql("""
                    INSERT INTO events (uid, namespace, name, involved_kind, involved_namespace, involved_name, involved_uid,
                                        type, reason, message, source_component, source_host, count, first_timestamp,
                                        last_timestamp, resource_version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)""")
                    .params(uid, involved.getNamespace() == null ? "default" : involved.getNamespace(), name,
                            involved.getKind(), involved.getNamespace(), involved.getName(), involved.getUid(), type, reason,
                            message, SOURCE_COMPONENT, host, at, at, version)
                    .update();
        }
        return jdbc.sql("SELECT * FROM events WHERE uid = ?").param(uid).query(this::row).single();
    }

    public List<Event> list(String namespace) {
        if (namespace == null) {
            return jdbc.sql("SELECT * FROM events ORDER BY last_timestamp, resource_version").query(this::row).list();
        }
        return jdbc.sql("SELECT * FROM events WHERE namespace = ? ORDER BY last_timestamp, resource_version")
                .param(namespace).query(this::row).list();
    }

    public Optional<Event> get(String namespace, String name) {
        return jdbc.sql("SELECT * FROM events WHERE namespace = ? AND name = ?").params(namespace, name)
                .query(this::row).optional();
    }

    private Event row(ResultSet rs, int n) throws SQLException {
        String first = PodStore.format(rs.getObject("first_timestamp", OffsetDateTime.class).toInstant());
        String last = PodStore.format(rs.getObject("last_timestamp", OffsetDateTime.class).toInstant());
        return new EventBuilder().withApiVersion("v1").withKind("Event")
                .withNewMetadata().withUid(rs.getString("uid")).withNamespace(rs.getString("namespace"))
                .withName(rs.getString("name")).withResourceVersion(Long.toString(rs.getLong("resource_version")))
                .withCreationTimestamp(first).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind(rs.getString("involved_kind"))
                .withNamespace(rs.getString("involved_namespace")).withName(rs.getString("involved_name"))
                .withUid(rs.getString("involved_uid")).endInvolvedObject()
                .withType(rs.getString("type")).withReason(rs.getString("reason")).withMessage(rs.getString("message"))
                .withNewSource().withComponent(rs.getString("source_component")).withHost(rs.getString("source_host")).endSource()
                .withCount(rs.getInt("count")).withFirstTimestamp(first).withLastTimestamp(last)
                .withReportingComponent(rs.getString("source_component")).withReportingInstance(rs.getString("source_host"))
                .build();
    }
}
