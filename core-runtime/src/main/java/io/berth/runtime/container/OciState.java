package io.berth.runtime.container;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The state document of the OCI runtime spec, which {@code berth-runtime state} prints. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record OciState(
        @JsonProperty("ociVersion") String ociVersion,
        @JsonProperty("id") String id,
        @JsonProperty("status") ContainerStatus status,
        @JsonProperty("pid") int pid,
        @JsonProperty("bundle") String bundle,
        @JsonProperty("annotations") Map<String, String> annotations) {
}
