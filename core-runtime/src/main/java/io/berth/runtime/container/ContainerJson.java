package io.berth.runtime.container;

import io.berth.runtime.json.JsonOut;
import io.berth.runtime.json.JsonWritable;

/**
 * JSON output of the runtime's documents (state, list, ps, features, the CLI's json log), laid out
 * as runc writes them. Takes {@link JsonWritable} records (OciState, ContainerRecord), Maps, Lists,
 * Strings, numbers, booleans and null.
 */
public final class ContainerJson {

    private ContainerJson() {
    }

    public static String pretty(Object value) {
        return JsonOut.pretty(value);
    }

    public static String compact(Object value) {
        return JsonOut.compact(value);
    }
}
