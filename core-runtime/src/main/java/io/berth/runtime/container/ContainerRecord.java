package io.berth.runtime.container;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonValue;
import io.berth.runtime.json.JsonWritable;
import io.berth.runtime.linux.Namespace;
import io.berth.runtime.oci.Spec;

/**
 * What Berth remembers about a container between commands ({@code <root>/<id>/state.json}). The
 * pid is paired with the process's start time so that a reused pid is never taken for the
 * container; {@code namespaces} are the ones it was created with, which an exec joins.
 *
 * <p>The JSON names below are a stored format: an upgraded berth must read what an older one wrote.
 */
public record ContainerRecord(
        String id,
        String bundle,
        String rootfs,
        int pid,
        long pidStartTime,
        String cgroupsPath,
        Instant created,
        Map<String, String> annotations,
        List<Namespace> namespaces) implements JsonWritable {

    public ContainerRecord {
        annotations = Spec.orderedCopy(annotations);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    }

    public ProcessIdentity process() {
        return new ProcessIdentity(pid, pidStartTime);
    }

    /** {@code v} is the state.json object. */
    static ContainerRecord read(JsonValue v) {
        return new ContainerRecord(v.string("id"), v.string("bundle"), v.string("rootfs"), v.int32("pid"),
                v.int64("pidStartTime"), v.string("cgroupsPath"), instant(v.get("created")), v.stringMap("annotations"),
                namespaces(v.array("namespaces")));
    }

    private static Instant instant(JsonValue v) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v.asString());
        } catch (DateTimeParseException e) {
            throw v.error("expected an ISO-8601 instant such as 2024-01-31T12:00:00Z, got '" + v.asString() + "'");
        }
    }

    private static List<Namespace> namespaces(List<JsonValue> array) {
        if (array == null) {
            return null;
        }
        List<Namespace> namespaces = new ArrayList<>(array.size());
        for (JsonValue v : array) {
            try {
                namespaces.add(Namespace.valueOf(v.asString()));
            } catch (IllegalArgumentException e) {
                throw v.error("unknown namespace '" + v.asString() + "'");
            }
        }
        return namespaces;
    }

    @Override
    public void writeJson(JsonOut out) {
        out.startObject()
                .nonNull("id", id)
                .nonNull("bundle", bundle)
                .nonNull("rootfs", rootfs)
                .field("pid", pid)
                .field("pidStartTime", pidStartTime)
                .nonNull("cgroupsPath", cgroupsPath)
                .nonNull("created", created == null ? null : created.toString())
                .field("annotations", annotations)
                .field("namespaces", namespaces)
                .endObject();
    }
}
