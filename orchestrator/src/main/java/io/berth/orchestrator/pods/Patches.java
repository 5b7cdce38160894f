package io.berth.orchestrator.pods;

import io.berth.orchestrator.api.ApiException;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two patch formats kubectl uses on pods: JSON merge patch (RFC 7386) and strategic merge
 * patch, the latter for what a Pod contains: lists merged by their Kubernetes merge keys, the
 * {@code $patch}, {@code $retainKeys}, {@code $deleteFromPrimitiveList} and {@code $setElementOrder}
 * directives (the order directive is accepted; Berth keeps the stored order).
 */
public final class Patches {

    /** patchMergeKey of each list field of a Pod that is merged rather than replaced. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "volumes", "name", "env", "name",
            "volumeMounts", "mountPath", "ports", "containerPort", "imagePullSecrets", "name",
            "conditions", "type", "containerStatuses", "name");

    private Patches() {
    }

    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        for (var e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    public static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiException.badRequest("a strategic merge patch must be a JSON object");
        }
        return mergeObject(target != null && target.isObject() ? (ObjectNode) target : JsonNodeFactory.instance.objectNode(),
                (ObjectNode) patch);
    }

    private static JsonNode mergeObject(ObjectNode target, ObjectNode patch) {
        String directive = patch.path("$patch").asString("");
        if (directive.equals("replace")) {
            ObjectNode copy = patch.deepCopy();
            copy.remove("$patch");
            return copy;
        }
        if (directive.equals("delete")) {
            return null;
        }
        ObjectNode result = target.deepCopy();
        for (var e : patch.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals("$patch") || key.startsWith("$setElementOrder/") || key.equals("$retainKeys")) {
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                JsonNode list = result.get(field);
                if (list != null && list.isArray()) {
                    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                    for (JsonNode item : list) {
                        if (!contains(value, item)) {
                            kept.add(item);
                        }
                    }
                    result.set(field, kept);
                }
                continue;
            }
            if (value.isNull()) {
                result.remove(key);
            } else if (value.isObject() && result.path(key).isObject()) {
                JsonNode merged = mergeObject((ObjectNode) result.get(key), (ObjectNode) value);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            } else if (value.isArray() && MERGE_KEYS.containsKey(key) && result.path(key).isArray()) {
                result.set(key, mergeList((ArrayNode) result.get(key), (ArrayNode) value, MERGE_KEYS.get(key)));
            } else if (value.isObject()) {
                JsonNode merged = mergeObject(JsonNodeFactory.instance.objectNode(), (ObjectNode) value);
                if (merged != null) {
                    result.set(key, merged);
                }
            } else {
                result.set(key, value);
            }
        }
        JsonNode retain = patch.get("$retainKeys");
        if (retain != null && retain.isArray()) {
            for (String name : result.propertyNames().toArray(String[]::new)) {
                if (!contains(retain, JsonNodeFactory.instance.stringNode(name))) {
                    result.remove(name);
                }
            }
        }
        return result;
    }

    private static ArrayNode mergeList(ArrayNode target, ArrayNode patch, String mergeKey) {
        boolean replace = false;
        for (JsonNode item : patch) {
            replace |= item.isObject() && item.path("$patch").asString("").equals("replace") && !item.has(mergeKey);
        }
        if (replace) { // {"$patch": "replace"} among the items: the list becomes the other items
            ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
            for (JsonNode item : patch) {
                if (!(item.isObject() && item.path("$patch").asString("").equals("replace") && !item.has(mergeKey))) {
                    replaced.add(item);
                }
            }
            return replaced;
        }
        ArrayNode result = target.deepCopy();
        for (JsonNode item : patch) {
            if (!item.isObject()) {
                throw ApiException.badRequest("strategic merge patch: the items of a list merged on " + mergeKey + " must be objects");
            }
            JsonNode key = item.get(mergeKey);
            if (key == null) {
                throw ApiException.badRequest("strategic merge patch: a list item has no merge key \"" + mergeKey + "\"");
            }
            int at = -1;
            for (int i = 0; i < result.size(); i++) {
                if (key.equals(result.get(i).get(mergeKey))) {
                    at = i;
                    break;
                }
            }
            if (item.path("$patch").asString("").equals("delete")) {
                if (at >= 0) {
                    result.remove(at);
                }
            } else if (at >= 0) {
                JsonNode merged = mergeObject((ObjectNode) result.get(at), (ObjectNode) item);
                if (merged == null) {
                    result.remove(at);
                } else {
                    result.set(at, merged);
                }
            } else {
                JsonNode added = mergeObject(JsonNodeFactory.instance.objectNode(), (ObjectNode) item);
                if (added != null) {
                    result.add(added);
                }
            }
        }
        return result;
    }

    private static boolean contains(JsonNode list, JsonNode item) {
        for (JsonNode x : list) {
            if (x.equals(item)) {
                return true;
            }
        }
        return false;
    }
}
