-- Every write to pods or events takes its resourceVersion from this one sequence, so versions are
-- totally ordered across kinds and a watch can say "everything after N".
CREATE SEQUENCE resource_version START WITH 1;

CREATE TABLE pods (
    uid                           VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace                     VARCHAR(63)  NOT NULL,
    name                          VARCHAR(253) NOT NULL,
    labels                        CLOB         NOT NULL, -- JSON object
    annotations                   CLOB         NOT NULL, -- JSON object
    spec                          CLOB         NOT NULL, -- PodSpec JSON as submitted, plus nodeName and defaults
    status                        CLOB         NOT NULL, -- PodStatus JSON, as the node side last reported it
    resource_version              BIGINT       NOT NULL,
    generation                    BIGINT       NOT NULL,
    creation_timestamp            TIMESTAMP WITH TIME ZONE NOT NULL,
    deletion_timestamp            TIMESTAMP WITH TIME ZONE,
    deletion_grace_period_seconds BIGINT,
    CONSTRAINT pods_namespace_name UNIQUE (namespace, name)
);

-- One row per container of a pod (init containers too), kept from the node side's reports so a
-- restarted daemon knows restart counts and last terminations; pid and process_start_time identify
-- a process that outlived the daemon (a reused pid has another start time).
CREATE TABLE containers (
    pod_uid              VARCHAR(36) NOT NULL,
    name                 VARCHAR(63) NOT NULL,
    init_container       BOOLEAN     NOT NULL,
    runtime_id           VARCHAR(128),
    state                VARCHAR(16) NOT NULL, -- waiting, running, terminated
    pid                  INT,
    process_start_time   BIGINT,
    restart_count        INT         NOT NULL DEFAULT 0,
    last_exit_code       INT,
    last_reason          VARCHAR(128),
    last_signal          INT,
    last_started_at      TIMESTAMP WITH TIME ZONE,
    last_finished_at     TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (pod_uid, name),
    CONSTRAINT containers_pod FOREIGN KEY (pod_uid) REFERENCES pods (uid) ON DELETE CASCADE
);

-- core/v1 Events, deduplicated as the kubelet's correlator does: the same object, type, reason and
-- message again raise count and last_timestamp.
CREATE TABLE events (
    uid                VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace          VARCHAR(63)  NOT NULL,
    name               VARCHAR(253) NOT NULL,
    involved_kind      VARCHAR(63)  NOT NULL,
    involved_namespace VARCHAR(63),
    involved_name      VARCHAR(253) NOT NULL,
    involved_uid       VARCHAR(36),
    type               VARCHAR(16)  NOT NULL,
    reason             VARCHAR(128) NOT NULL,
    message            CLOB         NOT NULL,
    source_component   VARCHAR(63)  NOT NULL,
    source_host        VARCHAR(253),
    count              INT          NOT NULL,
    first_timestamp    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_timestamp     TIMESTAMP WITH TIME ZONE NOT NULL,
    resource_version   BIGINT       NOT NULL,
    CONSTRAINT events_namespace_name UNIQUE (namespace, name)
);
CREATE INDEX events_involved ON events (involved_uid, type, reason);
