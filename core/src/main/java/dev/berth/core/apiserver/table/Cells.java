package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reading Kubernetes JSON and formatting cells the way the Kubernetes printers do. */
final class Cells {
    static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    static final String CREATION_TIMESTAMP_DESCRIPTION = "CreationTimestamp is a timestamp representing the server "
            + "time when this object was created. It is not guaranteed to be set in happens-before order across "
            + "separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n"
            + "Populated by the system. Read-only. Null for lists. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    static final ColumnDefinition NAME = new ColumnDefinition("Name", "string", "name", NAME_DESCRIPTION, 0);
    static final ColumnDefinition AGE = ColumnDefinition.of("Age", "string", CREATION_TIMESTAMP_DESCRIPTION);
    static final ColumnDefinition CONTAINERS = ColumnDefinition.wide("Containers", "string",
            "Names of each container in the template.");
    static final ColumnDefinition IMAGES = ColumnDefinition.wide("Images", "string",
            "Images referenced by each container in the template.");

    private Cells() {
    }

    static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node == null ? MissingNode.getInstance() : node;
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }

    /** The text at a path, or "" when absent or null (Go's zero value). */
    static String text(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    static String textOr(JsonNode node, String fallback, String... path) {
        String s = text(node, path);
        return s.isEmpty() ? fallback : s;
    }

    static long num(JsonNode node, String... path) {
        return at(node, path).asLong(0);
    }

    static boolean bool(JsonNode node, String... path) {
        return at(node, path).asBoolean(false);
    }

    static boolean present(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return !n.isMissingNode() && !n.isNull();
    }

    static List<JsonNode> items(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(out::add);
        }
        return out;
    }

    static String name(JsonNode object) {
        return text(object, "metadata", "name");
    }

    static boolean terminating(JsonNode object) {
        return present(object, "metadata", "deletionTimestamp");
    }

    /** An RFC 3339 timestamp, or null when absent or unparseable. */
    static Instant time(JsonNode node, String... path) {
        String s = text(node, path);
        if (s.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String since(JsonNode node, Instant now, String... path) {
        return HumanDuration.since(time(node, path), now);
    }

    static String age(JsonNode object, Instant now) {
        return since(object, now, "metadata", "creationTimestamp");
    }

    static String createdAt(JsonNode object) {
        Instant t = time(object, "metadata", "creationTimestamp");
        // Go's zero time, as the default table prints it for objects without a timestamp.
        Instant shown = t == null ? Instant.parse("0001-01-01T00:00:00Z") : t;
        return DateTimeFormatter.ISO_INSTANT.format(shown.truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@code a=1,b=2} sorted by key, or {@code <none>}. */
    static String formatLabels(JsonNode map) {
        if (map == null || !map.isObject() || map.isEmpty()) {
            return "<none>";
        }
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    /**
     * A LabelSelector as the label-selector string ("app=web,tier in (a,b)"); "" for an empty
     * or absent selector.
     */
    static String selectorString(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return "";
        }
        // Requirements are sorted by key; values of set-based requirements too.
        TreeMap<String, List<String>> byKey = new TreeMap<>();
        selector.path("matchLabels").fields().forEachRemaining(e ->
                byKey.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode expr : items(selector.path("matchExpressions"))) {
            String key = text(expr, "key");
            TreeSet<String> values = new TreeSet<>();
            items(expr.path("values")).forEach(v -> values.add(v.asText()));
            String req = switch (text(expr, "operator")) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> null;
            };
            if (req == null) {
                return "<error>";
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(req);
        }
        List<String> all = new ArrayList<>();
        byKey.values().forEach(all::addAll);
        return String.join(",", all);
    }

    /** metav1.FormatLabelSelector: the selector string, or {@code <none>} when it selects everything. */
    static String formatLabelSelector(JsonNode selector) {
        String s = selectorString(selector);
        return s.isEmpty() ? "<none>" : s;
    }

    /** Container names and images of a pod spec, comma-separated. */
    static String[] containerCells(JsonNode podSpec) {
        List<String> names = new ArrayList<>();
        List<String> images = new ArrayList<>();
        for (JsonNode c : items(podSpec.path("containers"))) {
            names.add(text(c, "name"));
            images.add(text(c, "image"));
        }
        return new String[] {String.join(",", names), String.join(",", images)};
    }

    static String quantity(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        if (n.isMissingNode() || n.isNull()) {
            return "0";
        }
        return n.asText();
    }

    static String accessModes(JsonNode modes) {
        List<String> present = new ArrayList<>();
        items(modes).forEach(m -> present.add(m.asText()));
        List<String> out = new ArrayList<>();
        String[][] order = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
                {"ReadWriteOncePod", "RWOP"}};
        for (String[] m : order) {
            if (present.contains(m[0])) {
                out.add(m[1]);
            }
        }
        return String.join(",", out);
    }

    /** The first "+ N more..." style list used by several printers. */
    static String listWithMore(List<String> list, boolean more, int count, int max, String whenEmpty) {
        String ret = String.join(",", list);
        if (more) {
            return ret + " + " + (count - max) + " more...";
        }
        return ret.isEmpty() && whenEmpty != null ? whenEmpty : ret;
    }
}
