package io.berth.orchestrator.logs;

import java.time.Instant;

/**
 * What pods/log asks of one container instance's log (PodLogOptions, validated by the API).
 *
 * @param timestamps prefix each line with its time (RFC3339Nano, UTC) and a space, as the kubelet does
 * @param since      only lines read at or after this time (a line without a time is kept); null for all
 * @param tailLines  only the last this many whole lines of what is there; null for all
 * @param limitBytes stop after this many bytes of output; null for no limit
 */
public record LogQuery(boolean timestamps, Instant since, Long tailLines, Long limitBytes) {
    public static final LogQuery ALL = new LogQuery(false, null, null, null);

    /** Nothing of what is there, only what comes (an attach without a monitor follows so). */
    public static final LogQuery NEW = new LogQuery(false, null, 0L, null);
}
