package io.berth.runtime.container;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What Berth remembers about a container between commands ({@code <root>/<id>/state.json}). The
 * pid is paired with the process's start time so that a reused pid is never taken for the
 * container.
 */
public record ContainerRecord(
        @JsonProperty("id") String id,
        @JsonProperty("bundle") String bundle,
        @JsonProperty("rootfs") String rootfs,
        @JsonProperty("pid") int pid,
        @JsonProperty("pidStartTime") long pidStartTime,
        @JsonProperty("cgroupsPath") String cgroupsPath,
        @JsonProperty("created") Instant created,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public ProcessIdentity process() {
        return new ProcessIdentity(pid, pidStartTime);
    }
}
