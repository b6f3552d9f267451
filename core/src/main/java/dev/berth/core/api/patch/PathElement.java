package dev.berth.core.api.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One step of a field path as structured-merge-diff names it: a field ({@code f:name}), a list
 * item by its key fields ({@code k:{"name":"web"}}), a set member by value ({@code v:"a"}) or an
 * atomic list item by index ({@code i:0}). Ordered as Kubernetes serialises them: fields, then
 * keys, then values, then indexes.
 */
public sealed interface PathElement extends Comparable<PathElement> {

    record Field(String name) implements PathElement {
        @Override
        public String toString() {
            return "." + name;
        }
    }

    /** Key fields sorted by name, values normalised so 80 and 80L are one key. */
    record Key(List<KeyField> fields) implements PathElement {
        public Key {
            fields = fields.stream().sorted(Comparator.comparing(KeyField::name)).toList();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(fields.get(i).name()).append('=').append(fields.get(i).value());
            }
            return sb.append(']').toString();
        }
    }

    record KeyField(String name, JsonNode value) {
        public KeyField {
            value = normalize(value);
        }
    }

    record Value(JsonNode value) implements PathElement {
        public Value {
            value = normalize(value);
        }

        @Override
        public String toString() {
            return "[=" + value + "]";
        }
    }

    record Index(int index) implements PathElement {
        @Override
        public String toString() {
            return "[" + index + "]";
        }
    }

    /** The fieldsV1 key: {@code f:name}, {@code k:{...}}, {@code v:...}, {@code i:N}. */
    default String fieldsV1Key() {
        return switch (this) {
            case Field f -> "f:" + f.name();
            case Key k -> {
                ObjectNode o = Json.MAPPER.createObjectNode();
                k.fields().forEach(kf -> o.set(kf.name(), kf.value()));
                yield "k:" + o;
            }
            case Value v -> "v:" + v.value();
            case Index i -> "i:" + i.index();
        };
    }

    static PathElement parseFieldsV1Key(String key) {
        if (key.length() < 2 || key.charAt(1) != ':') {
            throw new IllegalArgumentException("unknown path element " + key);
        }
        String rest = key.substring(2);
        try {
            return switch (key.charAt(0)) {
                case 'f' -> new Field(rest);
                case 'k' -> {
                    JsonNode o = Json.MAPPER.readTree(rest);
                    if (!o.isObject()) {
                        throw new IllegalArgumentException("key " + key + " is not a JSON object");
                    }
                    List<KeyField> fields = new ArrayList<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        fields.add(new KeyField(e.getKey(), e.getValue()));
                    }
                    yield new Key(fields);
                }
                case 'v' -> new Value(Json.MAPPER.readTree(rest));
                case 'i' -> new Index(Integer.parseInt(rest));
                default -> throw new IllegalArgumentException("unknown path element " + key);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("path element " + key + " holds invalid JSON", e);
        }
    }

    @Override
    default int compareTo(PathElement o) {
        int r = Integer.compare(rank(this), rank(o));
        if (r != 0) {
            return r;
        }
        return switch (this) {
            case Field f -> f.name().compareTo(((Field) o).name());
            case Key k -> {
                List<KeyField> a = k.fields();
                List<KeyField> b = ((Key) o).fields();
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    int c = a.get(i).name().compareTo(b.get(i).name());
                    if (c == 0) {
                        c = compareValues(a.get(i).value(), b.get(i).value());
                    }
                    if (c != 0) {
                        yield c;
                    }
                }
                yield Integer.compare(a.size(), b.size());
            }
            case Value v -> compareValues(v.value(), ((Value) o).value());
            case Index i -> Integer.compare(i.index(), ((Index) o).index());
        };
    }

    private static int rank(PathElement e) {
        return switch (e) {
            case Field f -> 0;
            case Key k -> 1;
            case Value v -> 2;
            case Index i -> 3;
        };
    }

    private static int compareValues(JsonNode a, JsonNode b) {
        int ra = valueRank(a);
        int rb = valueRank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        if (a.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual()) {
            return a.asText().compareTo(b.asText());
        }
        if (a.isBoolean()) {
            return Boolean.compare(a.asBoolean(), b.asBoolean());
        }
        return a.toString().compareTo(b.toString());
    }

    private static int valueRank(JsonNode v) {
        if (v.isNull()) {
            return 0;
        }
        if (v.isBoolean()) {
            return 1;
        }
        if (v.isNumber()) {
            return 2;
        }
        if (v.isTextual()) {
            return 3;
        }
        return 4;
    }

    private static JsonNode normalize(JsonNode v) {
        if (v != null && v.isNumber()) {
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                return LongNode.valueOf(v.longValue());
            }
            return DoubleNode.valueOf(v.doubleValue());
        }
        return v == null ? Json.MAPPER.nullNode() : v;
    }
}
