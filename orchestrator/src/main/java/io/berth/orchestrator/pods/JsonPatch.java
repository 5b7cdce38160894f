package io.berth.orchestrator.pods;

import io.berth.orchestrator.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON patch (RFC 6902, {@code application/json-patch+json}, {@code kubectl patch --type=json}):
 * add, remove, replace, move, copy and test, with RFC 6901 pointers. No library here: the
 * well-kept Java ones (zjsonpatch, java-json-tools) are built on Jackson 2, and the daemon's
 * models are Jackson 3. The operations apply in order to a copy; the first that fails fails the
 * whole patch (the apiserver's answers: a malformed patch is 400, one that does not apply 422).
 */
public final class JsonPatch {

    private JsonPatch() {
    }

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw ApiException.badRequest("a JSON patch must be a JSON array of operations, e.g. "
                    + "[{\"op\":\"replace\",\"path\":\"/metadata/labels/app\",\"value\":\"web\"}]");
        }
        JsonNode doc = target.deepCopy();
        for (int i = 0; i < patch.size(); i++) {
            doc = operation(doc, patch.get(i), i);
        }
        return doc;
    }

    private static JsonNode operation(JsonNode doc, JsonNode op, int index) {
        if (!op.isObject()) {
            throw malformed(index, "an operation must be an object");
        }
        String name = string(op, "op", index);
        List<String> path = pointer(string(op, "path", index), index);
        switch (name) {
            case "add" -> {
                return add(doc, path, value(op, index), index);
            }
            case "remove" -> {
                return remove(doc, path, index);
            }
            case "replace" -> {
                JsonNode value = value(op, index);
                JsonNode removed = remove(doc, path, index);
                return add(removed, path, value, index);
            }
            case "move" -> {
                List<String> from = pointer(string(op, "from", index), index);
                if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                    throw failed(index, "cannot move \"" + op.get("from").asString() + "\" into one of its own children");
                }
                JsonNode value = get(doc, from, index);
                return add(remove(doc, from, index), path, value, index);
            }
            case "copy" -> {
                JsonNode value = get(doc, pointer(string(op, "from", index), index), index).deepCopy();
                return add(doc, path, value, index);
            }
            case "test" -> {
                JsonNode expected = value(op, index);
                JsonNode actual = get(doc, path, index);
                if (!actual.equals(expected)) {
                    throw failed(index, "test failed: \"" + op.get("path").asString() + "\" is " + actual + ", not " + expected);
                }
                return doc;
            }
            default -> throw malformed(index, "unknown op \"" + name + "\" (add, remove, replace, move, copy or test)");
        }
    }

    private static JsonNode add(JsonNode doc, List<String> path, JsonNode value, int index) {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode parent = get(doc, path.subList(0, path.size() - 1), index);
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value);
            } else {
                a.insert(arrayIndex(a, last, a.size(), index), value);
            }
        } else {
            throw failed(index, "the parent of \"" + render(path) + "\" is not an object or an array");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, List<String> path, int index) {
        if (path.isEmpty()) {
            throw failed(index, "cannot remove the whole document");
        }
        JsonNode parent = get(doc, path.subList(0, path.size() - 1), index);
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o && o.has(last)) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(arrayIndex(a, last, a.size() - 1, index));
        } else {
            throw failed(index, "\"" + render(path) + "\" does not exist");
        }
        return doc;
    }

    private static JsonNode get(JsonNode doc, List<String> path, int index) {
        JsonNode n = doc;
        for (int i = 0; i < path.size(); i++) {
            String token = path.get(i);
            JsonNode next = null;
            if (n instanceof ObjectNode o) {
                next = o.get(token);
            } else if (n instanceof ArrayNode a && token.matches("0|[1-9][0-9]*") && token.length() < 10
                    && Integer.parseInt(token) < a.size()) {
                next = a.get(Integer.parseInt(token));
            }
            if (next == null) {
                throw failed(index, "\"" + render(path.subList(0, i + 1)) + "\" does not exist");
            }
            n = next;
        }
        return n;
    }

    /** An array index as RFC 6901 writes it (no sign, no leading zero), at most {@code max}. */
    private static int arrayIndex(ArrayNode a, String token, int max, int index) {
        if (!token.matches("0|[1-9][0-9]*") || token.length() >= 10 || Integer.parseInt(token) > max) {
            throw failed(index, "index \"" + token + "\" is out of range for an array of " + a.size());
        }
        return Integer.parseInt(token);
    }

    /** RFC 6901: "" is the whole document; "/a~1b/~0c" is ["a/b", "~c"]. */
    private static List<String> pointer(String p, int index) {
        List<String> out = new ArrayList<>();
        if (p.isEmpty()) {
            return out;
        }
        if (!p.startsWith("/")) {
            throw malformed(index, "path \"" + p + "\" is not a JSON pointer (it must start with /)");
        }
        for (String token : p.substring(1).split("/", -1)) {
            if (token.matches(".*~([^01]|$).*")) {
                throw malformed(index, "path \"" + p + "\" has a ~ not followed by 0 or 1");
            }
            out.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static String render(List<String> path) {
        StringBuilder b = new StringBuilder();
        for (String t : path) {
            b.append('/').append(t.replace("~", "~0").replace("/", "~1"));
        }
        return b.toString();
    }

    private static String string(JsonNode op, String field, int index) {
        JsonNode n = op.get(field);
        if (n == null || !n.isString()) {
            throw malformed(index, "\"" + field + "\" is missing or not a string");
        }
        return n.asString();
    }

    private static JsonNode value(JsonNode op, int index) {
        if (!op.has("value")) {
            throw malformed(index, "\"" + op.path("op").asString() + "\" needs a \"value\"");
        }
        return op.get("value").deepCopy();
    }

    private static ApiException malformed(int index, String why) {
        return ApiException.badRequest("JSON patch operation " + index + ": " + why);
    }

    private static ApiException failed(int index, String why) {
        return ApiException.unprocessable("JSON patch operation " + index + " does not apply: " + why);
    }
}
