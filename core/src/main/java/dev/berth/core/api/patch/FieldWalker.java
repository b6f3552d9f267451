package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.patch.PatchSchema.ListRule;
import dev.berth.core.api.patch.PathElement.Field;
import dev.berth.core.api.patch.PathElement.Index;
import dev.berth.core.api.patch.PathElement.Key;
import dev.berth.core.api.patch.PathElement.KeyField;
import dev.berth.core.api.patch.PathElement.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The structured-merge-diff operations over JSON trees: the field set of an object, the
 * difference of two objects as field sets, the merge of an applied configuration into a live
 * object, and removal of fields. Each walks the trees once.
 *
 * <p>Which paths belong to an object's field set follows structured-merge-diff: scalars, atomic
 * lists and maps, nulls and empty objects are leaves; a list item of an associative list or set is
 * a member whatever it holds; an entry of a map with free keys (labels) is a member too, while a
 * declared struct field holding a non-empty object is only the sum of its children.
 */
final class FieldWalker {
    private FieldWalker() {
    }

    enum Shape { ABSENT, LEAF, OBJECT, KEYED_LIST, SET_LIST }

    static Shape shape(JsonNode v, PatchSchema s) {
        if (v == null || v.isMissingNode()) {
            return Shape.ABSENT;
        }
        if (v.isObject()) {
            return v.isEmpty() || s.isAtomicObject() ? Shape.LEAF : Shape.OBJECT;
        }
        if (v.isArray()) {
            ListRule rule = s.listRule();
            switch (rule.applyType()) {
                case MAP -> {
                    for (JsonNode item : v) {
                        if (!item.isObject()) {
                            return Shape.LEAF;
                        }
                    }
                    return Shape.KEYED_LIST;
                }
                case SET -> {
                    for (JsonNode item : v) {
                        if (item.isContainerNode()) {
                            return Shape.LEAF;
                        }
                    }
                    return Shape.SET_LIST;
                }
                default -> {
                    return Shape.LEAF;
                }
            }
        }
        return Shape.LEAF;
    }

    /** The key of an associative list item; a missing key field takes its server default, if any. */
    static Key keyOf(JsonNode item, ListRule rule) {
        List<KeyField> fields = new ArrayList<>(rule.applyKeys().size());
        for (String k : rule.applyKeys()) {
            JsonNode v = item.get(k);
            if (v == null || v.isNull()) {
                String def = rule.keyDefaults().get(k);
                if (def == null) {
                    continue;
                }
                v = Json.MAPPER.getNodeFactory().textNode(def);
            }
            fields.add(new KeyField(k, v));
        }
        return new Key(fields);
    }

    // ------------------------------------------------------------------ field sets

    static FieldSet toFieldSet(JsonNode obj, PatchSchema schema) {
        FieldSet out = new FieldSet();
        collect(obj, schema, new ArrayList<>(), false, out);
        return out;
    }

    private static void collect(JsonNode v, PatchSchema s, List<PathElement> path, boolean selfMember, FieldSet out) {
        collect(v, s, path, selfMember, false, out);
    }

    /**
     * @param everyPath also insert paths of structs and lists, as a comparison does for a subtree
     *                  that appeared or went away (so an Update entry shows {@code f:labels: {".": {}}})
     */
    private static void collect(JsonNode v, PatchSchema s, List<PathElement> path, boolean selfMember, boolean everyPath,
                                FieldSet out) {
        Shape shape = shape(v, s);
        if (shape == Shape.ABSENT) {
            return;
        }
        if (!path.isEmpty() && (shape == Shape.LEAF || selfMember || everyPath)) {
            out.insert(path);
        }
        switch (shape) {
            case OBJECT -> collectFields((ObjectNode) v, s, path, everyPath, out);
            case KEYED_LIST -> {
                ListRule rule = s.listRule();
                PatchSchema elements = s.elements();
                for (JsonNode item : v) {
                    path.add(keyOf(item, rule));
                    out.insert(path);
                    collectFields((ObjectNode) item, elements, path, everyPath, out);
                    path.removeLast();
                }
            }
            case SET_LIST -> {
                for (JsonNode item : v) {
                    path.add(new Value(item));
                    out.insert(path);
                    path.removeLast();
                }
            }
            default -> {
            }
        }
    }

    private static void collectFields(ObjectNode o, PatchSchema s, List<PathElement> path, boolean everyPath,
                                      FieldSet out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            path.add(new Field(e.getKey()));
            collect(e.getValue(), s.field(e.getKey()), path, !s.declares(e.getKey()), everyPath, out);
            path.removeLast();
        }
    }

    // ------------------------------------------------------------------ validation

    /**
     * Problems that make an applied configuration unusable, as structured-merge-diff words them:
     * an associative list item without a key field, or two items with one key. Live objects may
     * hold duplicates (create and update allow them); an applied configuration may not.
     */
    static List<String> configErrors(JsonNode config, PatchSchema schema) {
        List<String> errors = new ArrayList<>();
        validate(config, schema, new ArrayList<>(), errors);
        return errors;
    }

    private static void validate(JsonNode v, PatchSchema s, List<PathElement> path, List<String> errors) {
        if (v == null || v.isNull()) {
            return;
        }
        if (v.isObject() && !s.isAtomicObject()) {
            v.fields().forEachRemaining(e -> {
                path.add(new Field(e.getKey()));
                validate(e.getValue(), s.field(e.getKey()), path, errors);
                path.removeLast();
            });
            return;
        }
        if (!v.isArray()) {
            return;
        }
        ListRule rule = s.listRule();
        if (rule.applyType() == PatchSchema.ListType.MAP) {
            Set<Key> seen = new HashSet<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (!item.isObject()) {
                    errors.add(FieldSet.format(path) + ": element " + i + ": expected an object, got " + item);
                    continue;
                }
                boolean complete = true;
                for (String k : rule.applyKeys()) {
                    if ((item.get(k) == null || item.get(k).isNull()) && !rule.keyDefaults().containsKey(k)) {
                        errors.add(FieldSet.format(path) + ": element " + i + ": associative list with keys has an element "
                                + "that omits key field \"" + k + "\" (and doesn't have default value)");
                        complete = false;
                    }
                }
                if (!complete) {
                    continue;
                }
                Key key = keyOf(item, rule);
                if (!seen.add(key)) {
                    errors.add(FieldSet.format(path) + ": duplicate entries for key " + key);
                    continue;
                }
                path.add(key);
                validate(item, s.elements(), path, errors);
                path.removeLast();
            }
        } else if (rule.applyType() == PatchSchema.ListType.SET) {
            Set<Value> seen = new HashSet<>();
            for (JsonNode item : v) {
                if (!seen.add(new Value(item))) {
                    errors.add(FieldSet.format(path) + ": duplicate entries for key " + new Value(item));
                }
            }
        }
    }

    // ------------------------------------------------------------------ comparison

    /** What changed from one object to another, as field sets. */
    record Comparison(FieldSet added, FieldSet removed, FieldSet modified) {
        FieldSet addedOrModified() {
            return added.union(modified);
        }

        boolean isSame() {
            return added.isEmpty() && removed.isEmpty() && modified.isEmpty();
        }
    }

    static Comparison compare(JsonNode before, JsonNode after, PatchSchema schema) {
        Comparison c = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        compare(before, after, schema, new ArrayList<>(), false, c);
        return c;
    }

    private static void compare(JsonNode l, JsonNode r, PatchSchema s, List<PathElement> path, boolean selfMember,
                                Comparison c) {
        if (l != null && r != null && l.isObject() && r.isObject() && !s.isAtomicObject() && !(l.isEmpty() && r.isEmpty())) {
            // an empty object is a leaf only when both sides are empty (structured-merge-diff's emptyPromoteToLeaf)
            compareFields((ObjectNode) l, (ObjectNode) r, s, path, c);
            return;
        }
        Shape sl = shape(l, s);
        Shape sr = shape(r, s);
        if (sl == Shape.ABSENT && sr == Shape.ABSENT) {
            return;
        }
        if (sl != sr) {
            // A value appeared, went away or changed kind: compare the subtrees as sets. A subtree
            // that appeared or went away counts with every path in it, structs included.
            FieldSet ls = new FieldSet();
            FieldSet rs = new FieldSet();
            collect(l, s, new ArrayList<>(path), selfMember, sr == Shape.ABSENT, ls);
            collect(r, s, new ArrayList<>(path), selfMember, sl == Shape.ABSENT, rs);
            c.removed().addAll(ls.difference(rs));
            c.added().addAll(rs.difference(ls));
            if (!path.isEmpty() && ls.contains(path) && rs.contains(path)) {
                c.modified().insert(path);
            }
            return;
        }
        switch (sl) {
            case LEAF -> {
                if (!Json.same(l, r)) {
                    c.modified().insert(path);
                }
            }
            case OBJECT -> compareFields((ObjectNode) l, (ObjectNode) r, s, path, c);
            case KEYED_LIST -> {
                ListRule rule = s.listRule();
                PatchSchema elements = s.elements();
                Map<Key, ObjectNode> left = index(l, rule);
                Map<Key, ObjectNode> right = index(r, rule);
                for (Map.Entry<Key, ObjectNode> e : left.entrySet()) {
                    path.add(e.getKey());
                    ObjectNode other = right.get(e.getKey());
                    if (other == null) {
                        c.removed().insert(path);
                        collectFields(e.getValue(), elements, path, true, c.removed());
                    } else {
                        compareFields(e.getValue(), other, elements, path, c);
                    }
                    path.removeLast();
                }
                for (Map.Entry<Key, ObjectNode> e : right.entrySet()) {
                    if (!left.containsKey(e.getKey())) {
                        path.add(e.getKey());
                        c.added().insert(path);
                        collectFields(e.getValue(), elements, path, true, c.added());
                        path.removeLast();
                    }
                }
            }
            case SET_LIST -> {
                Set<Value> left = values(l);
                Set<Value> right = values(r);
                for (Value v : left) {
                    if (!right.contains(v)) {
                        path.add(v);
                        c.removed().insert(path);
                        path.removeLast();
                    }
                }
                for (Value v : right) {
                    if (!left.contains(v)) {
                        path.add(v);
                        c.added().insert(path);
                        path.removeLast();
                    }
                }
            }
            default -> {
            }
        }
    }

    private static void compareFields(ObjectNode l, ObjectNode r, PatchSchema s, List<PathElement> path, Comparison c) {
        Set<String> names = new LinkedHashSet<>();
        l.fieldNames().forEachRemaining(names::add);
        r.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            path.add(new Field(name));
            compare(l.get(name), r.get(name), s.field(name), path, !s.declares(name), c);
            path.removeLast();
        }
    }

    /** Items by key; with duplicate keys (allowed in some live lists) the first one counts. */
    private static Map<Key, ObjectNode> index(JsonNode list, ListRule rule) {
        Map<Key, ObjectNode> out = new TreeMap<>();
        for (JsonNode item : list) {
            out.putIfAbsent(keyOf(item, rule), (ObjectNode) item);
        }
        return out;
    }

    private static Set<Value> values(JsonNode list) {
        Set<Value> out = new java.util.TreeSet<>();
        for (JsonNode v : list) {
            out.add(new Value(v));
        }
        return out;
    }

    // ------------------------------------------------------------------ merge

    /**
     * Merges an applied configuration into a live object (both unchanged) as structured-merge-diff
     * does: objects key by key, associative lists and sets item by item (applied items in applied
     * order, items only the live object has stay where they were), everything else replaced.
     */
    static JsonNode merge(JsonNode live, JsonNode applied, PatchSchema s) {
        if (applied == null) {
            return live == null ? null : live.deepCopy();
        }
        if (live == null || live.isNull()) {
            return withoutNulls(applied);
        }
        Shape sl = shape(live, s);
        Shape sa = shape(applied, s);
        if (applied.isObject() && live.isObject() && !s.isAtomicObject()) {
            return mergeObject((ObjectNode) live, (ObjectNode) applied, s);
        }
        if (sl == Shape.KEYED_LIST && sa == Shape.KEYED_LIST) {
            ListRule rule = s.listRule();
            PatchSchema elements = s.elements();
            return mergeOrdered(live, applied, item -> keyOf(item, rule),
                    (l, a) -> mergeObject((ObjectNode) l, (ObjectNode) a, elements));
        }
        if (sl == Shape.SET_LIST && sa == Shape.SET_LIST) {
            return mergeOrdered(live, applied, Value::new, (l, a) -> a.deepCopy());
        }
        return withoutNulls(applied);
    }

    private static ObjectNode mergeObject(ObjectNode live, ObjectNode applied, PatchSchema s) {
        ObjectNode out = live.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = applied.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                // an applied null owns the field and leaves it unset
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), merge(live.get(e.getKey()), e.getValue(), s.field(e.getKey())));
            }
        }
        return out;
    }

    private static JsonNode withoutNulls(JsonNode v) {
        if (v.isObject()) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            v.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    out.set(e.getKey(), withoutNulls(e.getValue()));
                }
            });
            return out;
        }
        if (v.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            v.forEach(item -> out.add(withoutNulls(item)));
            return out;
        }
        return v.deepCopy();
    }

    private static ArrayNode mergeOrdered(JsonNode live, JsonNode applied, java.util.function.Function<JsonNode, PathElement> keyer,
                                          java.util.function.BinaryOperator<JsonNode> mergeItem) {
        Map<PathElement, JsonNode> liveByKey = new TreeMap<>();
        for (JsonNode l : live) {
            liveByKey.putIfAbsent(keyer.apply(l), l);
        }
        List<JsonNode> appliedItems = new ArrayList<>();
        Map<PathElement, Integer> appliedPos = new TreeMap<>();
        for (JsonNode a : applied) {
            PathElement k = keyer.apply(a);
            if (appliedPos.putIfAbsent(k, appliedItems.size()) == null) {
                appliedItems.add(a);
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        Set<PathElement> emitted = new HashSet<>();
        int next = 0;
        for (JsonNode l : live) {
            PathElement k = keyer.apply(l);
            Integer pos = appliedPos.get(k);
            if (pos == null) {
                out.add(l.deepCopy());
                continue;
            }
            // shared items take the applied order: emit applied items up to this one
            while (next <= pos) {
                JsonNode a = appliedItems.get(next++);
                PathElement ak = keyer.apply(a);
                if (emitted.add(ak)) {
                    JsonNode match = liveByKey.get(ak);
                    out.add(match == null ? withoutNulls(a) : mergeItem.apply(match, a));
                }
            }
        }
        while (next < appliedItems.size()) {
            JsonNode a = appliedItems.get(next++);
            PathElement ak = keyer.apply(a);
            if (emitted.add(ak)) {
                JsonNode match = liveByKey.get(ak);
                out.add(match == null ? withoutNulls(a) : mergeItem.apply(match, a));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ removal

    /**
     * Removes from {@code node} (changed in place) the members of {@code remove}, except where
     * {@code keep} holds the path or anything below it; key fields of a kept list item stay.
     */
    static void removeFields(JsonNode node, FieldSet remove, FieldSet keep, PatchSchema s) {
        removeFields(node, remove, keep, s, Set.of());
    }

    private static void removeFields(JsonNode node, FieldSet remove, FieldSet keep, PatchSchema s, Set<String> keyFields) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<PathElement, FieldSet> e : remove.children().entrySet()) {
                if (!(e.getKey() instanceof Field f) || !o.has(f.name())) {
                    continue;
                }
                FieldSet keepBelow = keep == null ? null : keep.child(e.getKey());
                if (e.getValue().isMember() && (keepBelow == null || keepBelow.isEmpty()) && !keyFields.contains(f.name())) {
                    o.remove(f.name());
                } else {
                    removeFields(o.get(f.name()), e.getValue(), keepBelow, s.field(f.name()), Set.of());
                }
            }
        } else if (node instanceof ArrayNode a) {
            ListRule rule = s.listRule();
            Set<String> itemKeys = Set.copyOf(rule.applyKeys());
            List<Integer> doomed = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                JsonNode item = a.get(i);
                PathElement pe = switch (rule.applyType()) {
                    case MAP -> item.isObject() ? keyOf(item, rule) : new Index(i);
                    case SET -> new Value(item);
                    case ATOMIC -> new Index(i);
                };
                FieldSet sub = remove.child(pe);
                if (sub == null) {
                    continue;
                }
                FieldSet keepBelow = keep == null ? null : keep.child(pe);
                if (sub.isMember() && (keepBelow == null || keepBelow.isEmpty())) {
                    doomed.add(i);
                } else {
                    removeFields(item, sub, keepBelow, s.elements(), itemKeys);
                }
            }
            for (int i = doomed.size() - 1; i >= 0; i--) {
                a.remove((int) doomed.get(i));
            }
        }
    }

    /** Copy of an object tree with the same key order; used to build tracked views. */
    static ObjectNode shallowCopy(ObjectNode o) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.setAll(o);
        return out;
    }

    static Map<String, JsonNode> fields(ObjectNode o) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
