-- The pod changes a watch can resume across (the apiserver's watch cache window, kept in the
-- database so that it survives a daemon restart): one row per write to a pod, deletions included,
-- with the pod as it was at that version. Pruned by count and age (store.WatchHistory); a watch
-- from a version below the floor is answered 410 Expired and the client lists again.
CREATE TABLE watch_changes (
    resource_version BIGINT       NOT NULL PRIMARY KEY,
    type             VARCHAR(8)   NOT NULL, -- ADDED, MODIFIED, DELETED
    namespace        VARCHAR(63)  NOT NULL,
    object           CLOB         NOT NULL, -- the Pod as JSON at this version
    recorded_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row: every change at or below this version may have been pruned. A database made before
-- this migration has no history yet, so its floor is the last version already taken.
CREATE TABLE watch_floor (
    id               INT    NOT NULL PRIMARY KEY,
    resource_version BIGINT NOT NULL
);
INSERT INTO watch_floor (id, resource_version)
    SELECT 1, BASE_VALUE - 1 FROM INFORMATION_SCHEMA.SEQUENCES
    WHERE SEQUENCE_SCHEMA = 'PUBLIC' AND SEQUENCE_NAME = 'RESOURCE_VERSION';
