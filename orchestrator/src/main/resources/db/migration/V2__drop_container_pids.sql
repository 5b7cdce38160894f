-- A container's pid and process start time have one source: the node's record
-- (state root node/<pod uid>.json, PodRecord), written before the process is started and read by
-- resume to adopt it. These columns were never filled (a pod's status carries no pid); they are
-- dropped so that nobody reads them as if they said something.
ALTER TABLE containers DROP COLUMN pid;
ALTER TABLE containers DROP COLUMN process_start_time;
