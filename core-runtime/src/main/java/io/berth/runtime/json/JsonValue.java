package io.berth.runtime.json;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;

/**
 * One value of a parsed JSON document, with where it was found, so that a record can read its
 * fields by name ({@code new Root(v.string("path"), v.bool("readonly"))}) and a wrong value is
 * reported with its line, column and path. Built by one jackson-core streaming pass: no data
 * binding, no reflection (start-up time of the CLI, docs/cli-startup.md).
 *
 * <p>Typed reads follow the OCI runtime spec's Go model: an absent field or a JSON null reads as
 * null for objects and boxed values and as false or 0 for the primitive reads; unknown fields are
 * never looked at, so they are ignored. Types are strict: "1" is not a number and 1.5 is not an
 * integer.
 */
public final class JsonValue {
    static final JsonFactory FACTORY = new JsonFactory();
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private enum Kind {
        OBJECT("an object"), ARRAY("an array"), STRING("a string"), NUMBER("a number"), BOOLEAN("a boolean"), NULL("null");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private final Kind kind;
    /** Map&lt;String, JsonValue&gt;, List&lt;JsonValue&gt;, String, Integer/Long/BigInteger/Double, Boolean, or null. */
    private final Object value;
    private final JsonValue parent;
    /** The field name in the parent object, or null when the parent is an array. */
    private final String name;
    private final int index;
    private final int line;
    private final int column;

    private JsonValue(Kind kind, Object value, JsonValue parent, String name, int index, int line, int column) {
        this.kind = kind;
        this.value = value;
        this.parent = parent;
        this.name = name;
        this.index = index;
        this.line = line;
        this.column = column;
    }

    /**
     * Parses a whole document; null when it holds nothing but white space. Anything after the
     * first value is an error.
     */
    public static JsonValue parse(byte[] json) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            JsonValue root = read(p, first, null, null, 0);
            if (p.nextToken() != null) {
                TokenStreamLocation at = p.currentTokenLocation();
                throw new JsonReadException(at.getLineNr(), at.getColumnNr(), "", "unexpected content after the JSON value");
            }
            return root;
        } catch (StreamReadException e) {
            TokenStreamLocation at = e.getLocation();
            throw new JsonReadException(at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), "", firstLine(e.getOriginalMessage()));
        } catch (JacksonException e) {
            throw new JsonReadException(0, 0, "", firstLine(e.getOriginalMessage()));
        }
    }

    private static JsonValue read(JsonParser p, JsonToken token, JsonValue parent, String name, int index) {
        TokenStreamLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (token == null) {
            throw new JsonReadException(line, column, "", "unexpected end of input");
        }
        switch (token) {
            case START_OBJECT: {
                Map<String, JsonValue> fields = new LinkedHashMap<>();
                JsonValue object = new JsonValue(Kind.OBJECT, fields, parent, name, index, line, column);
                for (String field = p.nextName(); field != null; field = p.nextName()) {
                    // A repeated name: the last one counts, as in Go's encoding/json.
                    fields.put(field, read(p, p.nextToken(), object, field, 0));
                }
                return object;
            }
            case START_ARRAY: {
                List<JsonValue> elements = new ArrayList<>();
                JsonValue array = new JsonValue(Kind.ARRAY, elements, parent, name, index, line, column);
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    elements.add(read(p, t, array, null, elements.size()));
                }
                return array;
            }
            case VALUE_STRING:
                return new JsonValue(Kind.STRING, p.getString(), parent, name, index, line, column);
            case VALUE_NUMBER_INT:
                return new JsonValue(Kind.NUMBER, p.getNumberValue(), parent, name, index, line, column);
            case VALUE_NUMBER_FLOAT:
                return new JsonValue(Kind.NUMBER, p.getDoubleValue(), parent, name, index, line, column);
            case VALUE_TRUE:
                return new JsonValue(Kind.BOOLEAN, Boolean.TRUE, parent, name, index, line, column);
            case VALUE_FALSE:
                return new JsonValue(Kind.BOOLEAN, Boolean.FALSE, parent, name, index, line, column);
            case VALUE_NULL:
                return new JsonValue(Kind.NULL, null, parent, name, index, line, column);
            default:
                throw new JsonReadException(line, column, "", "unexpected " + token);
        }
    }

    /** jackson-core's message, on one line and without its source description (the caller names the file). */
    private static String firstLine(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        int marker = line.indexOf(" (start marker at ");
        return marker < 0 ? line : line.substring(0, marker);
    }

    // ---- the value itself

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    public boolean isObject() {
        return kind == Kind.OBJECT;
    }

    public String asString() {
        expect(Kind.STRING, "a string");
        return (String) value;
    }

    public boolean asBool() {
        expect(Kind.BOOLEAN, "true or false");
        return (Boolean) value;
    }

    public int asInt32() {
        BigInteger n = integer();
        if (n.bitLength() > 31) {
            throw error("expected an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ", got " + n);
        }
        return n.intValue();
    }

    public long asInt64() {
        BigInteger n = integer();
        if (n.bitLength() > 63) {
            throw error("expected a 64-bit integer, got " + n + " (out of range)");
        }
        return n.longValue();
    }

    /**
     * A uint64 of the spec (rlimits): 0 to 2^64-1, held in a long as the same 64 bits, so
     * 18446744073709551615 (RLIM_INFINITY) is -1; compare with {@link Long#compareUnsigned}.
     */
    public long asUint64() {
        BigInteger n = integer();
        if (n.signum() < 0 || n.compareTo(UINT64_MAX) > 0) {
            throw error("expected an integer from 0 to " + UINT64_MAX + ", got " + n);
        }
        return n.longValue();
    }

    /** Any integer, unbounded: the caller checks the range it allows. */
    public BigInteger asBigInteger() {
        return integer();
    }

    private BigInteger integer() {
        expect(Kind.NUMBER, "an integer");
        if (value instanceof Double) {
            throw error("expected an integer, got a fraction (" + value + ")");
        }
        return value instanceof BigInteger ? (BigInteger) value : BigInteger.valueOf(((Number) value).longValue());
    }

    /**
     * The value as plain Java: LinkedHashMap, ArrayList, String, Integer/Long/BigInteger/Double,
     * Boolean, null. For the spec's settings that Berth only passes through or refuses.
     */
    public Object asPlain() {
        switch (kind) {
            case OBJECT: {
                Map<String, Object> plain = new LinkedHashMap<>();
                for (Map.Entry<String, JsonValue> e : fields().entrySet()) {
                    plain.put(e.getKey(), e.getValue().asPlain());
                }
                return plain;
            }
            case ARRAY: {
                List<Object> plain = new ArrayList<>();
                for (JsonValue e : elements()) {
                    plain.add(e.asPlain());
                }
                return plain;
            }
            default:
                return value;
        }
    }

    /** This value, checked to be an object. */
    public JsonValue asObject() {
        expect(Kind.OBJECT, "an object");
        return this;
    }

    /** The fields of an object, in document order. */
    @SuppressWarnings("unchecked")
    public Map<String, JsonValue> fields() {
        expect(Kind.OBJECT, "an object");
        return Collections.unmodifiableMap((Map<String, JsonValue>) value);
    }

    @SuppressWarnings("unchecked")
    public List<JsonValue> elements() {
        expect(Kind.ARRAY, "an array");
        return Collections.unmodifiableList((List<JsonValue>) value);
    }

    // ---- fields of an object, by name: absent and null read alike

    /** The field, or null when it is absent or JSON null. */
    @SuppressWarnings("unchecked")
    public JsonValue get(String field) {
        expect(Kind.OBJECT, "an object");
        JsonValue v = ((Map<String, JsonValue>) value).get(field);
        return v == null || v.kind == Kind.NULL ? null : v;
    }

    public String string(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asString();
    }

    public boolean bool(String field) {
        JsonValue v = get(field);
        return v != null && v.asBool();
    }

    public Boolean boolOrNull(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asBool();
    }

    public int int32(String field) {
        JsonValue v = get(field);
        return v == null ? 0 : v.asInt32();
    }

    public Integer int32OrNull(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asInt32();
    }

    public long int64(String field) {
        JsonValue v = get(field);
        return v == null ? 0 : v.asInt64();
    }

    public Long int64OrNull(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asInt64();
    }

    public long uint64(String field) {
        JsonValue v = get(field);
        return v == null ? 0 : v.asUint64();
    }

    public BigInteger bigInteger(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asBigInteger();
    }

    /** A nested object, or null when absent or JSON null. */
    public JsonValue object(String field) {
        JsonValue v = get(field);
        if (v != null) {
            v.expect(Kind.OBJECT, "an object");
        }
        return v;
    }

    /**
     * The elements of an array field, or null when absent or JSON null. Elements may not be null.
     * Records read their lists with a plain loop over these rather than a reader function: each
     * lambda would be spun into a class at run time, on every start of the CLI.
     */
    public List<JsonValue> array(String field) {
        JsonValue v = get(field);
        if (v == null) {
            return null;
        }
        List<JsonValue> elements = v.elements();
        for (JsonValue e : elements) {
            if (e.kind == Kind.NULL) {
                throw e.error("null is not allowed in this list");
            }
        }
        return elements;
    }

    public List<String> strings(String field) {
        List<JsonValue> array = array(field);
        if (array == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(array.size());
        for (JsonValue e : array) {
            strings.add(e.asString());
        }
        return strings;
    }

    public List<Long> int64s(String field) {
        List<JsonValue> array = array(field);
        if (array == null) {
            return null;
        }
        List<Long> numbers = new ArrayList<>(array.size());
        for (JsonValue e : array) {
            numbers.add(e.asInt64());
        }
        return numbers;
    }

    /** An object of string values ({@code annotations}, {@code sysctl}), in document order; null when absent. */
    public Map<String, String> stringMap(String field) {
        JsonValue v = get(field);
        if (v == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> e : v.fields().entrySet()) {
            map.put(e.getKey(), e.getValue().asString());
        }
        return map;
    }

    /** A field as plain Java ({@link #asPlain()}), or null. */
    public Object plain(String field) {
        JsonValue v = get(field);
        return v == null ? null : v.asPlain();
    }

    // ---- errors

    private void expect(Kind wanted, String what) {
        if (kind != wanted) {
            throw error("expected " + what + ", got " + (kind == Kind.NUMBER && value instanceof Double ? "a fraction" : kind.description));
        }
    }

    /** A problem with this value, reported with its place and path. */
    public JsonReadException error(String problem) {
        return new JsonReadException(line, column, path(), problem);
    }

    /** Where this value is, as a JSON path: {@code process.rlimits[0].hard}; empty for the document. */
    public String path() {
        if (parent == null) {
            return "";
        }
        String up = parent.path();
        return name != null ? (up.isEmpty() ? name : up + "." + name) : up + "[" + index + "]";
    }
}
