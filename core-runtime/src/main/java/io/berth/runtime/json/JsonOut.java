package io.berth.runtime.json;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;

/**
 * Writes JSON on a jackson-core generator. Plain Java values are written as they are (String,
 * numbers, Boolean, null, Map, Collection, enum names); a {@link JsonWritable} writes itself,
 * choosing per field whether an empty value is left out ({@link #nonNull}, {@link #nonEmpty}).
 */
public final class JsonOut {
    /**
     * runc's layout ({@code "pid": 42}, two-space indent, {@code []}): tools that read runc's
     * output with patterns rather than a parser keep working on Berth's.
     */
    private static final DefaultPrettyPrinter GO_STYLE = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectNameValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance());

    private static final ObjectWriteContext PRETTY = new ObjectWriteContext.Base() {
        @Override
        public PrettyPrinter getPrettyPrinter() {
            return GO_STYLE.createInstance();
        }

        @Override
        public boolean hasPrettyPrinter() {
            return true;
        }
    };

    private final JsonGenerator gen;

    private JsonOut(JsonGenerator gen) {
        this.gen = gen;
    }

    /** {@code value} in runc's indented layout. */
    public static String pretty(Object value) {
        return write(value, PRETTY);
    }

    /** {@code value} on one line, no spaces. */
    public static String compact(Object value) {
        return write(value, ObjectWriteContext.empty());
    }

    private static String write(Object value, ObjectWriteContext context) {
        StringWriter text = new StringWriter();
        try (JsonGenerator gen = JsonValue.FACTORY.createGenerator(context, text)) {
            new JsonOut(gen).value(value);
        }
        return text.toString();
    }

    public JsonOut startObject() {
        gen.writeStartObject();
        return this;
    }

    public JsonOut endObject() {
        gen.writeEndObject();
        return this;
    }

    /** A field, written whatever its value (null as null). */
    public JsonOut field(String name, Object value) {
        gen.writeName(name);
        return value(value);
    }

    public JsonOut field(String name, long value) {
        gen.writeName(name);
        gen.writeNumber(value);
        return this;
    }

    public JsonOut field(String name, boolean value) {
        gen.writeName(name);
        gen.writeBoolean(value);
        return this;
    }

    /** A uint64 held in a long as its 64 bits (-1 is 18446744073709551615). */
    public JsonOut fieldUnsigned(String name, long value) {
        gen.writeName(name);
        if (value >= 0) {
            gen.writeNumber(value);
        } else {
            gen.writeNumber(new BigInteger(Long.toUnsignedString(value)));
        }
        return this;
    }

    /** A field left out when null. */
    public JsonOut nonNull(String name, Object value) {
        return value == null ? this : field(name, value);
    }

    /** A field left out when null, "", or an empty list or map. */
    public JsonOut nonEmpty(String name, Object value) {
        return isEmpty(value) ? this : field(name, value);
    }

    private static boolean isEmpty(Object value) {
        return value == null
                || value instanceof String && ((String) value).isEmpty()
                || value instanceof Collection && ((Collection<?>) value).isEmpty()
                || value instanceof Map && ((Map<?, ?>) value).isEmpty();
    }

    /** Any supported value; anything else is a programming error, refused rather than guessed at. */
    public JsonOut value(Object value) {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof JsonWritable) {
            ((JsonWritable) value).writeJson(this);
        } else if (value instanceof String) {
            gen.writeString((String) value);
        } else if (value instanceof Boolean) {
            gen.writeBoolean((Boolean) value);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            gen.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigInteger) {
            gen.writeNumber((BigInteger) value);
        } else if (value instanceof Double || value instanceof Float) {
            gen.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal) {
            gen.writeNumber((BigDecimal) value);
        } else if (value instanceof Map) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                field(String.valueOf(e.getKey()), e.getValue());
            }
            gen.writeEndObject();
        } else if (value instanceof Iterable) {
            gen.writeStartArray();
            for (Object e : (Iterable<?>) value) {
                value(e);
            }
            gen.writeEndArray();
        } else if (value instanceof Enum) {
            gen.writeString(((Enum<?>) value).name());
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: implement JsonWritable");
        }
        return this;
    }
}
