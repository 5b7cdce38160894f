package io.berth.orchestrator.store;

import io.berth.orchestrator.api.ApiJson;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

/**
 * Pods in H2: metadata in columns, spec and status as JSON (the spec as submitted, so what kubectl
 * gets back is what it sent). Callers hold {@link ResourceVersions}' write lock around each write.
 */
@Repository
public class PodStore {

    private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {
    };

    /** Rows from this many on are bound in parallel: below, handing them out costs more than it saves. */
    private static final int PARALLEL_BINDING = 64;

    private final JdbcClient jdbc;
    private final ApiJson json;

    public PodStore(JdbcClient jdbc, ApiJson json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Inserts a new pod; a duplicate (namespace, name) raises Spring's DuplicateKeyException. */
    public void insert(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        jdbc.sql("""
                INSERT INTO pods (uid, namespace, name, labels, annotations, spec, status, resource_version, generation,
                                  creation_timestamp, deletion_timestamp, deletion_grace_period_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(m.getUid(), m.getNamespace(), m.getName(), mapJson(m.getLabels()), mapJson(m.getAnnotations()),
                        json.mapper().writeValueAsString(pod.getSpec()), json.mapper().writeValueAsString(pod.getStatus()),
                        Long.parseLong(m.getResourceVersion()), m.getGeneration(), time(m.getCreationTimestamp()),
                        time(m.getDeletionTimestamp()), m.getDeletionGracePeriodSeconds())
                .update();
    }

    /** Writes everything but the identity; false when the pod is gone. */
    public boolean update(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        return jdbc.sql("""
                UPDATE pods SET labels = ?, annotations = ?, spec = ?, status = ?, resource_version = ?, generation = ?,
                                deletion_timestamp = ?, deletion_grace_period_seconds = ?
                WHERE uid = ?""")
                .params(mapJson(m.getLabels()), mapJson(m.getAnnotations()), json.mapper().writeValueAsString(pod.getSpec()),
                        json.mapper().writeValueAsString(pod.getStatus()), Long.parseLong(m.getResourceVersion()),
                        m.getGeneration(), time(m.getDeletionTimestamp()), m.getDeletionGracePeriodSeconds(), m.getUid())
                .update() == 1;
    }

    public boolean delete(String uid) {
        return jdbc.sql("DELETE FROM pods WHERE uid = ?").param(uid).update() == 1;
    }

    public Optional<Pod> get(String namespace, String name) {
        return jdbc.sql("SELECT * FROM pods WHERE namespace = ? AND name = ?").params(namespace, name)
                .query(this::row).optional();
    }

    public Optional<Pod> byUid(String uid) {
        return jdbc.sql("SELECT * FROM pods WHERE uid = ?").param(uid).query(this::row).optional();
    }

    /** Every pod, or a namespace's, oldest first. */
    public List<Pod> list(String namespace) {
        List<Row> rows = (namespace == null ? jdbc.sql("SELECT * FROM pods ORDER BY creation_timestamp, name")
                : jdbc.sql("SELECT * FROM pods WHERE namespace = ? ORDER BY creation_timestamp, name").param(namespace))
                .query(PodStore::raw).list();
        // Binding each row's JSON into fabric8's model is most of a long list's cost (the daemon's
        // restart reads every pod: 2.6 s for 500 at load 20, docs/benchmarks.md), and each row binds
        // on its own: many rows are bound on every core (the common pool), in their order.
        return (rows.size() < PARALLEL_BINDING ? rows.stream() : rows.parallelStream()).map(this::bind).toList();
    }

    /**
     * Keeps one row per container from a status report: restart counts and last terminations
     * survive a daemon restart. pid and process start time are the node side's to fill.
     */
    public void saveContainers(String uid, PodStatus status) {
        save(uid, status.getInitContainerStatuses(), true);
        save(uid, status.getContainerStatuses(), false);
    }

    private void save(String uid, List<ContainerStatus> statuses, boolean init) {
        if (statuses == null) {
            return;
        }
        for (ContainerStatus cs : statuses) {
            var state = cs.getState();
            String now = state == null ? "waiting" : state.getRunning() != null ? "running"
                    : state.getTerminated() != null ? "terminated" : "waiting";
            var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (last == null && state != null && state.getTerminated() != null) {
                last = state.getTerminated();
            }
            jdbc.sql("""
                    MERGE INTO containers (pod_uid, name, init_container, runtime_id, state, restart_count,
                                           last_exit_code, last_reason, last_signal, last_started_at, last_finished_at)
                    KEY (pod_uid, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(uid, cs.getName(), init, cs.getContainerID(), now,
                            cs.getRestartCount() == null ? 0 : cs.getRestartCount(),
                            last == null ? null : last.getExitCode(), last == null ? null : last.getReason(),
                            last == null ? null : last.getSignal(), last == null ? null : time(last.getStartedAt()),
                            last == null ? null : time(last.getFinishedAt()))
                    .update();
        }
    }

    private Pod row(ResultSet rs, int n) throws SQLException {
        return bind(raw(rs, n));
    }

    /** A row as stored: what {@link #bind} makes a pod of, off the connection. */
    private record Row(String uid, String namespace, String name, String labels, String annotations, long resourceVersion,
                       long generation, OffsetDateTime created, OffsetDateTime deleted, Long grace, String spec, String status) {
    }

    private static Row raw(ResultSet rs, int n) throws SQLException {
        long grace = rs.getLong("deletion_grace_period_seconds");
        Long graceOrNull = rs.wasNull() ? null : grace;
        return new Row(rs.getString("uid"), rs.getString("namespace"), rs.getString("name"), rs.getString("labels"),
                rs.getString("annotations"), rs.getLong("resource_version"), rs.getLong("generation"),
                rs.getObject("creation_timestamp", OffsetDateTime.class), rs.getObject("deletion_timestamp", OffsetDateTime.class),
                graceOrNull, rs.getString("spec"), rs.getString("status"));
    }

    private Pod bind(Row r) {
        ObjectMeta m = new ObjectMeta();
        m.setUid(r.uid());
        m.setNamespace(r.namespace());
        m.setName(r.name());
        m.setLabels(nullIfEmpty(json.mapper().readValue(r.labels(), STRING_MAP)));
        m.setAnnotations(nullIfEmpty(json.mapper().readValue(r.annotations(), STRING_MAP)));
        m.setResourceVersion(Long.toString(r.resourceVersion()));
        m.setGeneration(r.generation());
        m.setCreationTimestamp(format(r.created()));
        m.setDeletionTimestamp(format(r.deleted()));
        m.setDeletionGracePeriodSeconds(r.grace());
        return new Pod("v1", "Pod", m, json.mapper().readValue(r.spec(), PodSpec.class),
                json.mapper().readValue(r.status(), PodStatus.class));
    }

    private static Map<String, String> nullIfEmpty(Map<String, String> map) {
        return map.isEmpty() ? null : map;
    }

    private String mapJson(Map<String, String> map) {
        return json.mapper().writeValueAsString(map == null ? Map.of() : map);
    }

    /** Kubernetes' timestamps: RFC 3339 in UTC, whole seconds. */
    public static String format(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String format(OffsetDateTime t) {
        return t == null ? null : format(t.toInstant());
    }

    public static OffsetDateTime time(String rfc3339) {
        return rfc3339 == null ? null : OffsetDateTime.parse(rfc3339).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
