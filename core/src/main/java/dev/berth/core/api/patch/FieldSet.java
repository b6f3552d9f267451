package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A set of field paths stored as a tree, the shape of a managedFields entry's {@code fieldsV1}.
 * A node is a member when the path that leads to it is in the set; {@code "."} in fieldsV1 marks
 * a member that also has members below it (a list item, a map entry holding an object).
 * Set operations walk both trees once, so they cost the size of the sets.
 */
public final class FieldSet {
    private boolean member;
    private final TreeMap<PathElement, FieldSet> children = new TreeMap<>();

    public FieldSet() {
    }

    /** Parses a fieldsV1 object. */
    public static FieldSet fromFieldsV1(JsonNode fieldsV1) {
        FieldSet set = new FieldSet();
        if (fieldsV1 != null && !fieldsV1.isNull()) {
            if (!fieldsV1.isObject()) {
                throw new IllegalArgumentException("fieldsV1 must be a JSON object");
            }
            set.readChildren((ObjectNode) fieldsV1);
        }
        return set;
    }

    private void readChildren(ObjectNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(".")) {
                continue;
            }
            if (!e.getValue().isObject()) {
                throw new IllegalArgumentException("fieldsV1 entry " + e.getKey() + " must be a JSON object");
            }
            FieldSet child = children.computeIfAbsent(PathElement.parseFieldsV1Key(e.getKey()), k -> new FieldSet());
            ObjectNode value = (ObjectNode) e.getValue();
            if (value.isEmpty() || value.has(".")) {
                child.member = true;
            }
            child.readChildren(value);
        }
    }

    /** The fieldsV1 object, keys in Kubernetes' order. */
    public ObjectNode toFieldsV1() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        writeChildren(out);
        return out;
    }

    private void writeChildren(ObjectNode out) {
        for (Map.Entry<PathElement, FieldSet> e : children.entrySet()) {
            FieldSet child = e.getValue();
            ObjectNode node = Json.MAPPER.createObjectNode();
            if (child.member && !child.children.isEmpty()) {
                node.putObject(".");
            }
            child.writeChildren(node);
            out.set(e.getKey().fieldsV1Key(), node);
        }
    }

    void insert(List<PathElement> path) {
        FieldSet cur = this;
        for (PathElement e : path) {
            cur = cur.children.computeIfAbsent(e, k -> new FieldSet());
        }
        cur.member = true;
    }

    /** True when {@code path} is in the set. */
    public boolean contains(List<PathElement> path) {
        FieldSet cur = this;
        for (PathElement e : path) {
            cur = cur.children.get(e);
            if (cur == null) {
                return false;
            }
        }
        return cur.member;
    }

    public boolean isEmpty() {
        return !member && children.isEmpty();
    }

    /** The subtree below one step, or null. */
    FieldSet child(PathElement e) {
        return children.get(e);
    }

    boolean isMember() {
        return member;
    }

    Map<PathElement, FieldSet> children() {
        return children;
    }

    public FieldSet union(FieldSet other) {
        FieldSet out = copy();
        out.addAll(other);
        return out;
    }

    void addAll(FieldSet other) {
        member |= other.member;
        for (Map.Entry<PathElement, FieldSet> e : other.children.entrySet()) {
            children.computeIfAbsent(e.getKey(), k -> new FieldSet()).addAll(e.getValue());
        }
    }

    public FieldSet difference(FieldSet other) {
        FieldSet out = new FieldSet();
        out.member = member && (other == null || !other.member);
        for (Map.Entry<PathElement, FieldSet> e : children.entrySet()) {
            FieldSet sub = e.getValue().difference(other == null ? null : other.children.get(e.getKey()));
            if (!sub.isEmpty()) {
                out.children.put(e.getKey(), sub);
            }
        }
        return out;
    }

    public FieldSet intersection(FieldSet other) {
        FieldSet out = new FieldSet();
        if (other == null) {
            return out;
        }
        out.member = member && other.member;
        for (Map.Entry<PathElement, FieldSet> e : children.entrySet()) {
            FieldSet o = other.children.get(e.getKey());
            if (o != null) {
                FieldSet sub = e.getValue().intersection(o);
                if (!sub.isEmpty()) {
                    out.children.put(e.getKey(), sub);
                }
            }
        }
        return out;
    }

    public FieldSet copy() {
        FieldSet out = new FieldSet();
        out.member = member;
        children.forEach((k, v) -> out.children.put(k, v.copy()));
        return out;
    }

    /** Every member path, in order. */
    public List<List<PathElement>> paths() {
        List<List<PathElement>> out = new ArrayList<>();
        forEachPath(new ArrayList<>(), out::add);
        return out;
    }

    private void forEachPath(List<PathElement> prefix, Consumer<List<PathElement>> sink) {
        if (member) {
            sink.accept(List.copyOf(prefix));
        }
        for (Map.Entry<PathElement, FieldSet> e : children.entrySet()) {
            prefix.add(e.getKey());
            e.getValue().forEachPath(prefix, sink);
            prefix.removeLast();
        }
    }

    /** A path as Kubernetes prints it in conflicts: {@code .spec.containers[name="web"].image}. */
    public static String format(List<PathElement> path) {
        StringBuilder sb = new StringBuilder();
        path.forEach(sb::append);
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSet f && member == f.member && children.equals(f.children);
    }

    @Override
    public int hashCode() {
        return children.hashCode() * 31 + (member ? 1 : 0);
    }

    @Override
    public String toString() {
        return toFieldsV1().toString();
    }
}
