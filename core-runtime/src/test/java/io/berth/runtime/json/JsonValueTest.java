package io.berth.runtime.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonValueTest {
    private static JsonValue parse(String json) {
        return JsonValue.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void absentAndNullFieldsReadAsDefaults() {
        JsonValue v = parse("{\"n\": null, \"s\": null}");
        assertThat(v.string("s")).isNull();
        assertThat(v.string("missing")).isNull();
        assertThat(v.bool("n")).isFalse();
        assertThat(v.int32("n")).isZero();
        assertThat(v.int64("missing")).isZero();
        assertThat(v.int64OrNull("n")).isNull();
        assertThat(v.boolOrNull("missing")).isNull();
        assertThat(v.strings("n")).isNull();
        assertThat(v.object("n")).isNull();
        assertThat(v.array("missing")).isNull();
        assertThat(v.get("n")).isNull();
    }

    @Test
    void readsTypedValues() {
        JsonValue v = parse("{\"s\":\"x\",\"b\":true,\"i\":-7,\"l\":9007199254740993,\"u\":18446744073709551615,"
                + "\"big\":340282366920938463463374607431768211456,\"list\":[\"a\",\"b\"],\"map\":{\"k\":\"v\",\"a\":\"b\"}}");
        assertThat(v.string("s")).isEqualTo("x");
        assertThat(v.bool("b")).isTrue();
        assertThat(v.int32("i")).isEqualTo(-7);
        assertThat(v.int64("l")).isEqualTo(9007199254740993L);
        assertThat(v.uint64("u")).isEqualTo(-1L);
        assertThat(v.bigInteger("big")).isEqualTo(BigInteger.ONE.shiftLeft(128));
        assertThat(v.strings("list")).containsExactly("a", "b");
        assertThat(v.stringMap("map")).containsExactly(Map.entry("k", "v"), Map.entry("a", "b"));
    }

    @Test
    void typeMismatchNamesPathPlaceAndProblem() {
        JsonValue v = parse("{\"process\": {\n  \"user\": {\"uid\": \"0\"}}}");
        assertThatThrownBy(() -> v.get("process").get("user").int64("uid"))
                .isInstanceOf(JsonReadException.class)
                .hasMessage("at line 2, column 19 (process.user.uid): expected an integer, got a string");
    }

    @Test
    void fractionsAreNotIntegers() {
        assertThatThrownBy(() -> parse("{\"a\":[1, 2.5]}").int64s("a"))
                .isInstanceOf(JsonReadException.class)
                .hasMessageContaining("(a[1])")
                .hasMessageEndingWith("expected an integer, got a fraction (2.5)");
        assertThatThrownBy(() -> parse("{\"s\": 1.0}").string("s"))
                .hasMessageEndingWith("(s): expected a string, got a fraction");
    }

    @Test
    void rangesAreChecked() {
        assertThatThrownBy(() -> parse("{\"h\": 2147483648}").int32("h"))
                .hasMessageEndingWith("(h): expected an integer from -2147483648 to 2147483647, got 2147483648");
        assertThatThrownBy(() -> parse("{\"l\": 9223372036854775808}").int64("l"))
                .hasMessageEndingWith("(l): expected a 64-bit integer, got 9223372036854775808 (out of range)");
        assertThatThrownBy(() -> parse("{\"u\": -1}").uint64("u"))
                .hasMessageEndingWith("(u): expected an integer from 0 to 18446744073709551615, got -1");
        assertThatThrownBy(() -> parse("{\"u\": 18446744073709551616}").uint64("u"))
                .hasMessageContaining("got 18446744073709551616");
    }

    @Test
    void stringsAndBooleansAreStrict() {
        assertThatThrownBy(() -> parse("{\"b\": \"true\"}").bool("b"))
                .hasMessageEndingWith("(b): expected true or false, got a string");
        assertThatThrownBy(() -> parse("{\"n\": 5}").string("n"))
                .hasMessageEndingWith("(n): expected a string, got a number");
        assertThatThrownBy(() -> parse("{\"o\": []}").object("o"))
                .hasMessageEndingWith("(o): expected an object, got an array");
        assertThatThrownBy(() -> parse("{\"m\": {\"k\": 1}}").stringMap("m"))
                .hasMessageEndingWith("(m.k): expected a string, got a number");
    }

    @Test
    void nullListElementsAreRefused() {
        assertThatThrownBy(() -> parse("{\"args\": [\"sh\", null]}").strings("args"))
                .hasMessageEndingWith("(args[1]): null is not allowed in this list");
    }

    @Test
    void syntaxErrorsGiveLineAndColumnInOneLine() {
        assertThatThrownBy(() -> parse("{\n\"a\": }"))
                .isInstanceOf(JsonReadException.class)
                .hasMessageStartingWith("at line 2, column 6: ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> parse("{\"a\": 1"))
                .isInstanceOf(JsonReadException.class)
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> parse("[1, 2"))
                .isInstanceOf(JsonReadException.class)
                .hasMessage("at line 1, column 6: Unexpected end-of-input: expected close marker for Array");
        assertThatThrownBy(() -> parse("{\"a\": [tru]}"))
                .isInstanceOf(JsonReadException.class)
                .hasMessageStartingWith("at line 1, column ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void contentAfterTheValueIsRefused() {
        assertThatThrownBy(() -> parse("{} {}"))
                .isInstanceOf(JsonReadException.class)
                .hasMessage("at line 1, column 4: unexpected content after the JSON value");
    }

    @Test
    void emptyInputIsNull() {
        assertThat(parse("")).isNull();
        assertThat(parse(" \n\t")).isNull();
        assertThat(parse("null").isNull()).isTrue();
    }

    @Test
    void repeatedNamesKeepTheLast() {
        assertThat(parse("{\"a\": \"1\", \"a\": \"2\"}").string("a")).isEqualTo("2");
    }

    @Test
    void plainValuesKeepTheirShape() {
        Object plain = parse("{\"b\":[1,2.5,null,true,\"s\",{}],\"a\":18446744073709551615}").asPlain();
        assertThat(plain).isEqualTo(Map.of("b", java.util.Arrays.asList(1, 2.5, null, true, "s", Map.of()),
                "a", new BigInteger("18446744073709551615")));
        assertThat(List.copyOf(((Map<?, ?>) plain).keySet())).isEqualTo(List.of("b", "a"));
        assertThat(JsonOut.compact(plain)).isEqualTo("{\"b\":[1,2.5,null,true,\"s\",{}],\"a\":18446744073709551615}");
    }

    @Test
    void unknownFieldsAreNeverTouched() {
        JsonValue v = parse("{\"known\":\"x\",\"future\":{\"deep\":[1,{\"x\":\"y\"}]}}");
        assertThat(v.string("known")).isEqualTo("x");
        assertThat(v.fields().keySet()).containsExactly("known", "future");
        assertThat(List.copyOf(v.fields().keySet())).hasSize(2);
    }
}
