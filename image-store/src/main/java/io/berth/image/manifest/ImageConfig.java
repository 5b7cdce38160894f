package io.berth.image.manifest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The parts of an OCI/Docker image config Berth uses: platform, the run defaults a container
 * inherits, and the uncompressed layer digests (diff_ids) that name unpacked layers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("created") String created,
        @JsonProperty("config") RunConfig config,
        @JsonProperty("rootfs") RootFs rootfs) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunConfig(
            @JsonProperty("User") String user,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RootFs(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<String> diffIds) {
    }
}
