package io.berth.runtime.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.berth.runtime.linux.Namespace;

/**
 * What Berth remembers about a container between commands ({@code <root>/<id>/state.json}). The
 * pid is paired with the process's start time so that a reused pid is never taken for the
 * container; {@code namespaces} are the ones it was created with, which an exec joins.
 */
public record ContainerRecord(
        @JsonProperty("id") String id,
        @JsonProperty("bundle") String bundle,
        @JsonProperty("rootfs") String rootfs,
        @JsonProperty("pid") int pid,
        @JsonProperty("pidStartTime") long pidStartTime,
        @JsonProperty("cgroupsPath") String cgroupsPath,
        @JsonProperty("created") Instant created,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("namespaces") List<Namespace> namespaces) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    }

    public ProcessIdentity process() {
        return new ProcessIdentity(pid, pidStartTime);
    }
}
