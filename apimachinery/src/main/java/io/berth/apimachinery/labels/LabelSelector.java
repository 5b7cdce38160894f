package io.berth.apimachinery.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector in its text form ({@code ?labelSelector=}, {@code kubectl -l}):
 * requirements separated by commas, all of which must hold: {@code k=v}, {@code k==v},
 * {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} (has the label) and
 * {@code !k} (has not). The daemon filters with it and the console checks it before sending, so
 * both read the syntax the same way. A text that does not parse is an {@link InvalidSelectorException}
 * naming the first bad part; each side words it for its own user (a 400 Status, a usage line).
 */
public final class LabelSelector implements Predicate<Map<String, String>> {
    private static final Pattern SET = Pattern.compile("([^\\s!=(),]+)\\s+(in|notin)\\s*\\((.*)\\)");
    // apimachinery's qualified name: an optional DNS-subdomain prefix and '/', then a name of
    // alphanumerics, '-', '_' and '.' that starts and ends alphanumeric.
    private static final Pattern KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

    private enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    private record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case EQUALS, IN -> v != null && values.contains(v);
                case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case NOT_EXISTS -> v == null;
            };
        }
    }

    private final String text;
    private final List<Requirement> requirements;

    private LabelSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = List.copyOf(requirements);
    }

    /** Parses {@code text}; null or blank selects everything. */
    public static LabelSelector parse(String text) {
        List<Requirement> requirements = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new LabelSelector("", requirements);
        }
        for (String part : splitTopLevel(text)) {
            requirements.add(requirement(part.trim(), text));
        }
        return new LabelSelector(text.trim(), requirements);
    }

    private static Requirement requirement(String p, String text) {
        if (p.isEmpty()) {
            throw new InvalidSelectorException(text, "an empty requirement");
        }
        Matcher set = SET.matcher(p);
        if (set.matches()) {
            List<String> values = new ArrayList<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v, text));
            }
            return new Requirement(key(set.group(1), text), set.group(2).equals("in") ? Op.IN : Op.NOT_IN, Set.copyOf(values));
        }
        int ne = p.indexOf("!=");
        if (ne >= 0) {
            return new Requirement(key(p.substring(0, ne), text), Op.NOT_EQUALS, Set.of(value(p.substring(ne + 2), text)));
        }
        int eq = p.indexOf('=');
        if (eq >= 0) {
            int valueAt = p.startsWith("==", eq) ? eq + 2 : eq + 1;
            return new Requirement(key(p.substring(0, eq), text), Op.EQUALS, Set.of(value(p.substring(valueAt), text)));
        }
        if (p.startsWith("!")) {
            return new Requirement(key(p.substring(1), text), Op.NOT_EXISTS, Set.of());
        }
        return new Requirement(key(p, text), Op.EXISTS, Set.of());
    }

    /** True when every requirement holds for {@code labels} (null is no labels). */
    @Override
    public boolean test(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Requirement r : requirements) {
            if (!r.matches(l)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** The selector as given (trimmed), to send on as {@code labelSelector=}. */
    @Override
    public String toString() {
        return text;
    }

    private static String key(String k, String text) {
        String key = k.trim();
        if (!KEY.matcher(key).matches()) {
            throw new InvalidSelectorException(text, "invalid label key \"" + key + "\"");
        }
        return key;
    }

    private static String value(String v, String text) {
        String value = v.trim();
        if (!VALUE.matcher(value).matches() || value.length() > 63) {
            throw new InvalidSelectorException(text, "invalid label value \"" + value + "\"");
        }
        return value;
    }

    /** Commas inside {@code (...)} separate a set's values, not requirements. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
