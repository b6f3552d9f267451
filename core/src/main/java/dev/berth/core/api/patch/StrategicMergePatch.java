package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.patch.PatchSchema.ListRule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes strategic merge patch, the body of {@code application/strategic-merge-patch+json}
 * sent by {@code kubectl apply} (client side), {@code edit}, {@code set image} and
 * {@code rollout restart}. Like a JSON merge patch, except that lists the schema marks with a
 * merge key are merged item by item, and these directives are understood:
 * <ul>
 *   <li>{@code $patch: replace} (an object or list replaced whole), {@code $patch: delete} (an object
 *       emptied, or a list item removed by its merge key), {@code $patch: merge} (the default);</li>
 *   <li>{@code $retainKeys: [...]} (keys of the object not named are cleared, for union types
 *       such as a volume source or a deployment strategy);</li>
 *   <li>{@code $setElementOrder/<list>: [...]} (the order kubectl wants; items the server added
 *       keep their place relative to the live list);</li>
 *   <li>{@code $deleteFromPrimitiveList/<list>: [...]} (values removed from a merged scalar list).</li>
 * </ul>
 * As the API server does, nulls for keys that are absent are ignored.
 */
public final class StrategicMergePatch {
    static final String PATCH = "$patch";
    static final String RETAIN_KEYS = "$retainKeys";
    static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    /** The API server's answer to a strategic merge patch of a custom resource. */
    public static final String UNSUPPORTED_FOR_CUSTOM_RESOURCES =
            "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

    private StrategicMergePatch() {
    }

    /**
     * Returns the patched copy of {@code target}; neither argument is changed.
     *
     * @throws ApiException 415 when the schema is not a built-in type, 400 for a malformed patch or
     *                      directive, 422 when a patch key is not allowed by {@code $retainKeys}
     */
    public static ObjectNode apply(ObjectNode target, JsonNode patch, PatchSchema schema) {
        if (schema == null || !schema.isBuiltIn()) {
            throw ApiException.unsupportedMediaType(UNSUPPORTED_FOR_CUSTOM_RESOURCES);
        }
        if (patch == null || !patch.isObject()) {
            throw ApiException.badRequest("strategic merge patch must be a JSON object, got "
                    + (patch == null ? "nothing" : patch.getNodeType().toString().toLowerCase()));
        }
        ObjectNode original = target == null ? Json.MAPPER.createObjectNode() : target.deepCopy();
        return mergeMap(original, (ObjectNode) patch, schema, "");
    }

    /** Merges {@code patch} into {@code original}, which this method owns and may change. */
    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema, String path) {
        JsonNode directive = patch.get(PATCH);
        if (directive != null) {
            switch (directive.asText()) {
                case "replace" -> {
                    ObjectNode rest = patch.deepCopy();
                    rest.remove(PATCH);
                    return mergeMap(Json.MAPPER.createObjectNode(), rest, schema, path);
                }
                case "delete" -> {
                    return Json.MAPPER.createObjectNode();
                }
                case "merge" -> {
                    // the default; accepted for symmetry with lists
                }
                default -> throw ApiException.badRequest("Unknown patch type: " + directive.asText() + " in map: " + patch
                        + " at " + display(path));
            }
        }

        JsonNode retainKeys = patch.get(RETAIN_KEYS);
        if (retainKeys != null) {
            applyRetainKeys(original, patch, retainKeys, path);
        }

        // Collect list orders first: they apply after the list is merged, whatever the key order.
        Map<String, JsonNode> elementOrders = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.startsWith(SET_ELEMENT_ORDER)) {
                if (!e.getValue().isArray()) {
                    throw ApiException.badRequest("invalid patch: " + key + " at " + display(path) + " must be a list");
                }
                elementOrders.put(key.substring(SET_ELEMENT_ORDER.length()), e.getValue());
            }
        }

        Map<String, List<JsonNode>> originalOrders = new LinkedHashMap<>();
        for (String field : elementOrders.keySet()) {
            JsonNode before = original.get(field);
            originalOrders.put(field, before != null && before.isArray() ? copyOf(before) : List.of());
        }

        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode patchValue = e.getValue();
            if (key.equals(PATCH) || key.equals(RETAIN_KEYS) || key.startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                String field = key.substring(DELETE_FROM_PRIMITIVE_LIST.length());
                deleteFromPrimitiveList(original, field, patchValue, path);
                continue;
            }
            String childPath = path + "." + key;
            if (patchValue.isNull()) {
                original.remove(key);
                continue;
            }
            PatchSchema child = schema.field(key);
            JsonNode current = original.get(key);
            if (patchValue.isObject()) {
                ObjectNode base = current != null && current.isObject() ? (ObjectNode) current : Json.MAPPER.createObjectNode();
                original.set(key, mergeMap(base, (ObjectNode) patchValue, child, childPath));
            } else if (patchValue.isArray()) {
                ArrayNode base = current != null && current.isArray() ? (ArrayNode) current : Json.MAPPER.createArrayNode();
                original.set(key, mergeList(base, (ArrayNode) patchValue, child, childPath));
            } else {
                original.set(key, patchValue.deepCopy());
            }
        }

        for (Map.Entry<String, JsonNode> e : elementOrders.entrySet()) {
            String field = e.getKey();
            JsonNode merged = original.get(field);
            if (merged != null && merged.isArray()) {
                ListRule rule = schema.field(field).listRule();
                original.set(field, applyElementOrder((ArrayNode) merged, e.getValue(), originalOrders.get(field),
                        rule.strategicMergeKey(), path + "." + field));
            }
        }
        return original;
    }

    private static void applyRetainKeys(ObjectNode original, ObjectNode patch, JsonNode retainKeys, String path) {
        if (!retainKeys.isArray()) {
            throw ApiException.badRequest("invalid patch: $retainKeys at " + display(path) + " must be a list of strings");
        }
        Set<String> retained = new HashSet<>();
        for (JsonNode k : retainKeys) {
            if (!k.isTextual()) {
                throw ApiException.badRequest("invalid patch: $retainKeys at " + display(path) + " must be a list of strings");
            }
            retained.add(k.asText());
        }
        for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.startsWith("$") && !patch.get(k).isNull() && !retained.contains(k)) {
                throw new ApiException(422, "Invalid", "patch content does not match retainKeys: " + display(path)
                        + " sets " + k + " which $retainKeys " + retainKeys + " does not name");
            }
        }
        original.properties().removeIf(e -> !retained.contains(e.getKey()));
    }

    private static void deleteFromPrimitiveList(ObjectNode original, String field, JsonNode values, String path) {
        if (!values.isArray()) {
            throw ApiException.badRequest("invalid patch: " + DELETE_FROM_PRIMITIVE_LIST + field + " at "
                    + display(path) + " must be a list");
        }
        JsonNode current = original.get(field);
        if (current == null || !current.isArray()) {
            return;
        }
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode v : current) {
            boolean deleted = false;
            for (JsonNode d : values) {
                deleted |= Json.same(v, d);
            }
            if (!deleted) {
                kept.add(v);
            }
        }
        original.set(field, kept);
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, PatchSchema schema, String path) {
        ListRule rule = schema.listRule();
        if (!rule.strategicMerge()) {
            return stripDirectives(patch, schema.elements(), path);
        }
        if (patch.isEmpty()) {
            // merging nothing into a list changes nothing, but an explicit empty list on an
            // absent field still creates it
            return original;
        }
        if (!patch.get(0).isObject()) {
            // a set of scalars: union, first occurrence wins
            ArrayNode out = Json.MAPPER.createArrayNode();
            Set<PathElement.Value> seen = new HashSet<>();
            for (JsonNode v : original) {
                if (seen.add(new PathElement.Value(v))) {
                    out.add(v.deepCopy());
                }
            }
            for (JsonNode v : patch) {
                if (seen.add(new PathElement.Value(v))) {
                    out.add(v.deepCopy());
                }
            }
            return out;
        }
        String mergeKey = rule.strategicMergeKey();
        if (mergeKey == null) {
            throw ApiException.badRequest("invalid patch: the list at " + display(path)
                    + " merges scalars, but the patch holds objects");
        }
        PatchSchema elements = schema.elements();
        List<JsonNode> items = copyOf(original);
        List<ObjectNode> patchItems = new ArrayList<>();
        boolean replace = false;
        for (JsonNode p : patch) {
            if (!p.isObject()) {
                throw ApiException.badRequest("invalid patch: the list at " + display(path)
                        + " merges objects by " + mergeKey + ", but the patch holds " + p);
            }
            JsonNode directive = p.get(PATCH);
            if (directive == null) {
                patchItems.add((ObjectNode) p);
                continue;
            }
            switch (directive.asText()) {
                case "delete" -> {
                    JsonNode key = p.get(mergeKey);
                    if (key == null) {
                        throw ApiException.badRequest("map: " + p + " does not contain declared merge key: " + mergeKey);
                    }
                    items.removeIf(item -> Json.same(item.get(mergeKey), key));
                }
                case "replace" -> replace = true;
                case "merge" -> throw ApiException.badRequest("merging lists cannot yet be specified in the patch (at "
                        + display(path) + ")");
                default -> throw ApiException.badRequest("Unknown patch type: " + directive.asText() + " in map: " + p
                        + " at " + display(path));
            }
        }
        if (replace) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (ObjectNode p : patchItems) {
                out.add(mergeMap(Json.MAPPER.createObjectNode(), p, elements, path + "[]"));
            }
            return out;
        }
        // index by key once: lists of thousands of env entries must not cost a scan per patch item
        Map<PathElement.Value, Integer> positions = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode k = items.get(i).get(mergeKey);
            if (k != null) {
                positions.putIfAbsent(new PathElement.Value(k), i);
            }
        }
        for (ObjectNode p : patchItems) {
            JsonNode key = p.get(mergeKey);
            if (key == null) {
                throw ApiException.badRequest("map: " + p + " does not contain declared merge key: " + mergeKey);
            }
            String itemPath = path + "[" + mergeKey + "=" + key + "]";
            Integer found = positions.get(new PathElement.Value(key));
            int at = found == null ? -1 : found;
            if (at < 0) {
                positions.put(new PathElement.Value(key), items.size());
            }
            if (at >= 0) {
                JsonNode existing = items.get(at);
                ObjectNode base = existing.isObject() ? (ObjectNode) existing : Json.MAPPER.createObjectNode();
                items.set(at, mergeMap(base, p, elements, itemPath));
            } else {
                items.add(mergeMap(Json.MAPPER.createObjectNode(), p, elements, itemPath));
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        items.forEach(out::add);
        return out;
    }

    /** An atomic list is replaced; directives inside its objects still must not reach storage. */
    private static ArrayNode stripDirectives(ArrayNode patch, PatchSchema elements, String path) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (JsonNode p : patch) {
            out.add(p.isObject() ? mergeMap(Json.MAPPER.createObjectNode(), (ObjectNode) p, elements, path + "[]") : p.deepCopy());
        }
        return out;
    }

    /**
     * Orders a merged list as {@code $setElementOrder} asks. Items it names come in its order;
     * the others (added on the server) are slotted in by their position in the live list.
     */
    private static ArrayNode applyElementOrder(ArrayNode merged, JsonNode order, List<JsonNode> live, String mergeKey,
                                               String path) {
        List<JsonNode> orderKeys = new ArrayList<>();
        for (JsonNode o : order) {
            if (mergeKey != null) {
                if (!o.isObject() || o.get(mergeKey) == null) {
                    throw ApiException.badRequest("invalid patch: $setElementOrder" + " for " + display(path)
                            + " must list objects with the merge key " + mergeKey + ", got " + o);
                }
                orderKeys.add(o.get(mergeKey));
            } else {
                orderKeys.add(o);
            }
        }
        Map<PathElement.Value, Integer> orderIndex = positions(orderKeys);
        List<JsonNode> liveKeys = new ArrayList<>();
        for (JsonNode l : live) {
            liveKeys.add(keyOf(l, mergeKey));
        }
        Map<PathElement.Value, Integer> liveIndex = positions(liveKeys);
        List<JsonNode> patched = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : merged) {
            (position(orderIndex, keyOf(item, mergeKey)) >= 0 ? patched : serverOnly).add(item);
        }
        patched.sort((a, b) -> Integer.compare(position(orderIndex, keyOf(a, mergeKey)),
                position(orderIndex, keyOf(b, mergeKey))));
        // serverOnly is already in live order: merging keeps original items in place

        ArrayNode out = Json.MAPPER.createArrayNode();
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < patched.size()) {
            if (i >= serverOnly.size()) {
                out.add(patched.get(j++));
            } else if (j >= patched.size()) {
                out.add(serverOnly.get(i++));
            } else {
                int li = position(liveIndex, keyOf(serverOnly.get(i), mergeKey));
                int ri = position(liveIndex, keyOf(patched.get(j), mergeKey));
                if (li >= 0 && ri >= 0 && li < ri) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(patched.get(j++));
                }
            }
        }
        return out;
    }

    private static JsonNode keyOf(JsonNode item, String mergeKey) {
        return mergeKey == null ? item : item.get(mergeKey);
    }

    private static Map<PathElement.Value, Integer> positions(List<JsonNode> keys) {
        Map<PathElement.Value, Integer> out = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) != null) {
                out.putIfAbsent(new PathElement.Value(keys.get(i)), i);
            }
        }
        return out;
    }

    private static int position(Map<PathElement.Value, Integer> index, JsonNode key) {
        if (key == null) {
            return -1;
        }
        Integer i = index.get(new PathElement.Value(key));
        return i == null ? -1 : i;
    }

    private static List<JsonNode> copyOf(JsonNode array) {
        List<JsonNode> out = new ArrayList<>(array.size());
        array.forEach(out::add);
        return out;
    }

    private static String display(String path) {
        return path.isEmpty() ? "the root" : path.substring(1);
    }
}
