package io.berth.runtime.container;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The OCI runtime states; JSON writes them lowercase, as runc does. */
public enum ContainerStatus {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
