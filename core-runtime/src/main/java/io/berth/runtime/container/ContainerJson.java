package io.berth.runtime.container;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.berth.runtime.oci.SpecJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON output of the runtime's documents (state, list, features), laid out as runc writes them
 * ({@link SpecJson#GO_STYLE}).
 */
public final class ContainerJson {
    /** The runtime's own documents (state.json, state, list, the CLI's json log): nulls left out. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private ContainerJson() {
    }

    public static String pretty(Object value) {
        return MAPPER.writer().with(SpecJson.GO_STYLE).writeValueAsString(value);
    }

    public static String compact(Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
