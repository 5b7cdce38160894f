package io.berth.shell.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.berth.shell.ConsoleException;

/**
 * A label selector as {@code -l} takes it (Kubernetes' syntax): requirements separated by commas,
 * each {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)},
 * {@code k} (has the label) or {@code !k} (has not). The selector is sent to the daemon and also
 * applied here, so the answer is right whether or not the daemon filters.
 */
public final class Selector {
    private enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    private record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            switch (op) {
                case EQUALS: case IN: return v != null && values.contains(v);
                case NOT_EQUALS: case NOT_IN: return v == null || !values.contains(v);
                case EXISTS: return v != null;
                default: return v == null;
            }
        }
    }

    private final String text;
    private final List<Requirement> requirements;

    private Selector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = requirements;
    }

    public static Selector parse(String text) {
        List<Requirement> requirements = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new Selector("", requirements);
        }
        for (String part : splitTopLevel(text)) {
            String p = part.trim();
            Requirement r;
            if (p.isEmpty()) {
                throw bad(text, "an empty requirement");
            } else if (p.matches("[^\\s!=(),]+\\s+(in|notin)\\s*\\(.*\\)")) {
                String[] kv = p.split("\\s+", 2);
                boolean notIn = kv[1].startsWith("notin");
                String list = kv[1].substring(kv[1].indexOf('(') + 1, kv[1].lastIndexOf(')'));
                Set<String> values = Set.copyOf(List.of(list.trim().split("\\s*,\\s*")));
                r = new Requirement(key(kv[0], text), notIn ? Op.NOT_IN : Op.IN, values);
            } else if (p.contains("!=")) {
                String[] kv = p.split("!=", 2);
                r = new Requirement(key(kv[0], text), Op.NOT_EQUALS, Set.of(value(kv[1], text)));
            } else if (p.contains("==")) {
                String[] kv = p.split("==", 2);
                r = new Requirement(key(kv[0], text), Op.EQUALS, Set.of(value(kv[1], text)));
            } else if (p.contains("=")) {
                String[] kv = p.split("=", 2);
                r = new Requirement(key(kv[0], text), Op.EQUALS, Set.of(value(kv[1], text)));
            } else if (p.startsWith("!")) {
                r = new Requirement(key(p.substring(1), text), Op.NOT_EXISTS, Set.of());
            } else {
                r = new Requirement(key(p, text), Op.EXISTS, Set.of());
            }
            requirements.add(r);
        }
        return new Selector(text.trim(), requirements);
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(l));
    }

    @Override
    public String toString() {
        return text;
    }

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

    private static String key(String k, String text) {
        String key = k.trim();
        if (!key.matches("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
            throw bad(text, "'" + key + "' is not a label key");
        }
        return key;
    }

    private static String value(String v, String text) {
        String value = v.trim();
        if (!value.matches("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")) {
            throw bad(text, "'" + value + "' is not a label value");
        }
        return value;
    }

    private static ConsoleException bad(String text, String why) {
        return ConsoleException.usage("bad label selector '" + text + "' (" + why
                + "): use key=value, key!=value, 'key in (a,b)', key or !key, separated by commas");
    }
}
