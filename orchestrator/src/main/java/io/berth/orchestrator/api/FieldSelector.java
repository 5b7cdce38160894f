package io.berth.orchestrator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code ?fieldSelector=}: {@code field=value}, {@code field==value}, {@code field!=value},
 * comma-separated, over the fields each resource supports (as in the apiserver, any other field
 * is a 400 naming it).
 */
public final class FieldSelector {

    private record Term(String field, boolean equal, String value) {
    }

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public static FieldSelector parse(String text, String resource, Set<String> supported) {
        List<Term> terms = new ArrayList<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.split(",")) {
                part = part.trim();
                int ne = part.indexOf("!=");
                int eq = part.indexOf('=');
                Term t;
                if (ne > 0) {
                    t = new Term(part.substring(0, ne).trim(), false, part.substring(ne + 2).trim());
                } else if (eq > 0) {
                    t = new Term(part.substring(0, eq).trim(), true, part.substring(part.startsWith("==", eq) ? eq + 2 : eq + 1).trim());
                } else {
                    throw ApiException.badRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
                }
                if (!supported.contains(t.field())) {
                    throw ApiException.badRequest("field label not supported: " + t.field() + " (" + resource + " support "
                            + String.join(", ", supported.stream().sorted().toList()) + ")");
                }
                terms.add(t);
            }
        }
        return new FieldSelector(terms);
    }

    /** Whether the object whose fields {@code value} reads (null for an unset field) matches. */
    public boolean matches(Function<String, String> value) {
        for (Term t : terms) {
            String actual = value.apply(t.field());
            boolean same = t.value().equals(actual == null ? "" : actual);
            if (same != t.equal()) {
                return false;
            }
        }
        return true;
    }

    /** The value a term pins with {@code =}, if any (lets a get of one name skip the rest). */
    public String equalTo(String field) {
        return terms.stream().filter(t -> t.equal() && t.field().equals(field)).map(Term::value).findFirst().orElse(null);
    }
}
