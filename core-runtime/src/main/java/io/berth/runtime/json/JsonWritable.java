package io.berth.runtime.json;

/**
 * A value that writes itself as JSON. The runtime's records implement it so that each says its own
 * JSON names and which empty values it leaves out, in one place, without reflection at start-up.
 */
public interface JsonWritable {
    void writeJson(JsonOut out);
}
