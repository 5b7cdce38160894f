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
        if (namespace == null) {
            return jdbc.sql("SELECT * FROM pods ORDER BY creation_timestamp, name").query(this::row).list();
        }
        return jdbc.sql("SELECT * FROM pods WHERE namespace = ? ORDER BY creation_timestamp, name").param(namespace)
                .query(this::row).list();
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
        ObjectMeta m = new ObjectMeta();
        m.setUid(rs.getString("uid"));
        m.setNamespace(rs.getString("namespace"));
        m.setName(rs.getString("name"));
        m.setLabels(nullIfEmpty(json.mapper().readValue(rs.getString("labels"), STRING_MAP)));
        m.setAnnotations(nullIfEmpty(json.mapper().readValue(rs.getString("annotations"), STRING_MAP)));
        m.setResourceVersion(Long.toString(rs.getLong("resource_version")));
        m.setGeneration(rs.getLong("generation"));
        m.setCreationTimestamp(format(rs.getObject("creation_timestamp", OffsetDateTime.class)));
        m.setDeletionTimestamp(format(rs.getObject("deletion_timestamp", OffsetDateTime.class)));
        long grace = rs.getLong("deletion_grace_period_seconds");
        m.setDeletionGracePeriodSeconds(rs.wasNull() ? null : grace);
        Pod pod = new Pod("v1", "Pod", m, json.mapper().readValue(rs.getString("spec"), PodSpec.class),
                json.mapper().readValue(rs.getString("status"), PodStatus.class));
        return pod;
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
