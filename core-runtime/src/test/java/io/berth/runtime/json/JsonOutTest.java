package io.berth.runtime.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonOutTest {
    private record Point(int x, String label, List<String> tags) implements JsonWritable {
        @Override
        public void writeJson(JsonOut out) {
            out.startObject().field("x", x).nonNull("label", label).nonEmpty("tags", tags).endObject();
        }
    }

    private enum Colour { RED }

    @Test
    void prettyIsRuncsLayout() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", 42);
        doc.put("args", List.of("sh", "-c"));
        doc.put("empty", List.of());
        doc.put("none", Map.of());
        doc.put("objects", List.of(new Point(1, null, List.of()), new Point(2, "b", List.of("t"))));
        assertThat(JsonOut.pretty(doc)).isEqualTo("""
                {
                  "pid": 42,
                  "args": [ "sh", "-c" ],
                  "empty": [],
                  "none": {},
                  "objects": [ {
                    "x": 1
                  }, {
                    "x": 2,
                    "label": "b",
                    "tags": [ "t" ]
                  } ]
                }""");
    }

    @Test
    void compactWritesPlainJavaValues() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "a\"b\n\u0001é");
        doc.put("n", null);
        doc.put("t", true);
        doc.put("l", Long.MAX_VALUE);
        doc.put("d", 2.5);
        doc.put("big", BigInteger.TWO.pow(64));
        doc.put("e", Colour.RED);
        doc.put("list", new ArrayList<>(Arrays.asList(1, null)));
        assertThat(JsonOut.compact(doc)).isEqualTo(
                "{\"s\":\"a\\\"b\\n\\u0001é\",\"n\":null,\"t\":true,\"l\":9223372036854775807,\"d\":2.5,"
                        + "\"big\":18446744073709551616,\"e\":\"RED\",\"list\":[1,null]}");
        assertThat(JsonOut.compact(null)).isEqualTo("null");
        assertThat(JsonOut.compact("x")).isEqualTo("\"x\"");
        assertThat(JsonOut.compact(List.of(3, 4))).isEqualTo("[3,4]");
        assertThat(JsonOut.pretty(List.of())).isEqualTo("[]");
    }

    @Test
    void unsignedFieldsWriteAll64Bits() {
        JsonWritable limits = out -> out.startObject().fieldUnsigned("hard", -1L).fieldUnsigned("soft", 1024).endObject();
        assertThat(JsonOut.compact(limits)).isEqualTo("{\"hard\":18446744073709551615,\"soft\":1024}");
    }

    @Test
    void anUnknownTypeIsRefusedByName() {
        assertThatThrownBy(() -> JsonOut.compact(List.of(new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write java.lang.Object as JSON: implement JsonWritable");
    }
}
