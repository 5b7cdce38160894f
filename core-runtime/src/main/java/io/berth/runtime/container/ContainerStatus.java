package io.berth.runtime.container;

import java.util.Locale;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonWritable;

/** The OCI runtime states; JSON writes them lowercase, as runc does. */
public enum ContainerStatus implements JsonWritable {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void writeJson(JsonOut out) {
        out.value(json());
    }
}
