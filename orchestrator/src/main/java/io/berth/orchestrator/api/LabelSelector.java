package io.berth.orchestrator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code ?labelSelector=}: equality ({@code a=b}, {@code a==b}, {@code a!=b}), sets
 * ({@code a in (x,y)}, {@code a notin (x)}) and existence ({@code a}, {@code !a}), comma-separated
 * and all required. A selector that does not parse is a 400, as in the apiserver.
 */
public final class LabelSelector implements Predicate<Map<String, String>> {

    private final List<Predicate<Map<String, String>>> requirements;

    private LabelSelector(List<Predicate<Map<String, String>>> requirements) {
        this.requirements = requirements;
    }

    public static LabelSelector parse(String text) {
        List<Predicate<Map<String, String>>> reqs = new ArrayList<>();
        if (text != null && !text.isBlank()) {
            for (String part : splitTopLevel(text)) {
                reqs.add(requirement(part.trim(), text));
            }
        }
        return new LabelSelector(reqs);
    }

    @Override
    public boolean test(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.test(l));
    }

    private static Predicate<Map<String, String>> requirement(String part, String whole) {
        var set = java.util.regex.Pattern.compile("^([^\\s!=()]+)\\s+(in|notin)\\s+\\(([^)]*)\\)$").matcher(part);
        if (set.matches()) {
            String key = key(set.group(1), whole);
            Set<String> values = Set.copyOf(List.of(set.group(3).split("\\s*,\\s*", -1)).stream().map(String::trim).toList());
            boolean in = set.group(2).equals("in");
            // Set.copyOf's set throws on contains(null), so a missing label is checked first.
            return in ? l -> l.containsKey(key) && values.contains(l.get(key))
                    : l -> !l.containsKey(key) || !values.contains(l.get(key));
        }
        int ne = part.indexOf("!=");
        if (ne > 0) {
            String key = key(part.substring(0, ne).trim(), whole);
            String value = part.substring(ne + 2).trim();
            return l -> !value.equals(l.get(key));
        }
        int eq = part.indexOf('=');
        if (eq > 0) {
            String key = key(part.substring(0, eq).trim(), whole);
            String value = part.substring(part.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            return l -> value.equals(l.get(key));
        }
        if (part.startsWith("!")) {
            String key = key(part.substring(1).trim(), whole);
            return l -> !l.containsKey(key);
        }
        String key = key(part, whole);
        return l -> l.containsKey(key);
    }

    private static String key(String key, String whole) {
        if (key.isEmpty() || !key.matches("([a-z0-9.-]+/)?[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?")) {
            throw ApiException.badRequest("unable to parse requirement: invalid label key \"" + key + "\" in selector \"" + whole + "\"");
        }
        return key;
    }

    /** Commas inside {@code (...)} belong to a set, not between requirements. */
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
