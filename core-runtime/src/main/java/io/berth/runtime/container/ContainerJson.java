package io.berth.runtime.container;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** JSON output of the runtime's documents (state, list), formatted like runc's. */
public final class ContainerJson {
    private static final JsonMapper PRETTY = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();
    private static final JsonMapper COMPACT = PRETTY.rebuild().disable(SerializationFeature.INDENT_OUTPUT).build();

    private ContainerJson() {
    }

    public static String pretty(Object value) {
        return PRETTY.writeValueAsString(value);
    }

    public static String compact(Object value) {
        return COMPACT.writeValueAsString(value);
    }
}
