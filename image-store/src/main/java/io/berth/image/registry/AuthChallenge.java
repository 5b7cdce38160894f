package io.berth.image.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: {@code Bearer realm="...",service="...",scope="..."} or
 * {@code Basic realm="..."}. Quoted values may hold commas (a scope such as {@code pull,push}), so
 * this is a small tokenizer rather than a split.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    boolean isBearer() {
        return scheme.equalsIgnoreCase("bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("basic");
    }

    String param(String name) {
        return params.get(name);
    }

    /** The first Bearer challenge among the headers, else the first Basic one, else null. */
    static AuthChallenge pick(List<String> headerValues) {
        AuthChallenge basic = null;
        for (String value : headerValues) {
            for (AuthChallenge c : parseAll(value)) {
                if (c.isBearer()) {
                    return c;
                }
                if (c.isBasic() && basic == null) {
                    basic = c;
                }
            }
        }
        return basic;
    }

    /** Parses one header value, which may carry several challenges. */
    static List<AuthChallenge> parseAll(String header) {
        List<AuthChallenge> out = new java.util.ArrayList<>();
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != '=' && header.charAt(i) != ',') {
                i++;
            }
            String token = header.substring(start, i);
            if (token.isEmpty()) {
                break;
            }
            if (i < n && header.charAt(i) == '=') {
                i++;
                String value;
                if (i < n && header.charAt(i) == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        sb.append(header.charAt(i++));
                    }
                    i++;
                    value = sb.toString();
                } else {
                    int vs = i;
                    while (i < n && header.charAt(i) != ',') {
                        i++;
                    }
                    value = header.substring(vs, i).strip();
                }
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    out.add(new AuthChallenge(scheme, Map.copyOf(params)));
                    params = new LinkedHashMap<>();
                }
                scheme = token;
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, Map.copyOf(params)));
        }
        return out;
    }
}
