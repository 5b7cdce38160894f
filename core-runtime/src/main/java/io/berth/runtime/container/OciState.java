package io.berth.runtime.container;

import java.util.Map;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonWritable;

/** The state document of the OCI runtime spec, which {@code berth-runtime state} prints. */
public record OciState(
        String ociVersion,
        String id,
        ContainerStatus status,
        int pid,
        String bundle,
        Map<String, String> annotations) implements JsonWritable {

    @Override
    public void writeJson(JsonOut out) {
        out.startObject()
                .nonEmpty("ociVersion", ociVersion)
                .nonEmpty("id", id)
                .nonEmpty("status", status)
                .field("pid", pid)
                .nonEmpty("bundle", bundle)
                .nonEmpty("annotations", annotations)
                .endObject();
    }
}
