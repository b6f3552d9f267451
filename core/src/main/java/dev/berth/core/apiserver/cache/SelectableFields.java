package dev.berth.core.apiserver.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;

import java.io.IOException;
import java.util.HashSet;
import java.util.concurrent.ConcurrentHashMap;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The fields each resource supports in field selectors, as Kubernetes defines them. */
public final class SelectableFields {
    private SelectableFields() {}

    private static final Map<String, Set<String>> EXTRA = Map.ofEntries(
            Map.entry("core/pods", Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                    "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
                    "status.nominatedNodeName")),
            Map.entry("core/events", Set.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                    "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                    "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type")),
            Map.entry("core/secrets", Set.of("type")),
            Map.entry("core/nodes", Set.of("spec.unschedulable")),
            Map.entry("core/namespaces", Set.of("status.phase")),
            Map.entry("core/replicationcontrollers", Set.of("status.replicas")),
            Map.entry("apps/replicasets", Set.of("status.replicas")),
            Map.entry("batch/jobs", Set.of("status.successful")),
            Map.entry("certificates.k8s.io/certificatesigningrequests", Set.of("spec.signerName")));

    /** The field names a selector on this storage may use. */
    public static Set<String> supported(String storage) {
        Set<String> extra = EXTRA.getOrDefault(storage, Set.of());
        java.util.HashSet<String> all = new java.util.HashSet<>(extra);
        all.add("metadata.name");
        all.add("metadata.namespace");
        return all;
    }

    public static Map<String, String> extract(String storage, JsonNode obj) {
        Map<String, String> f = new HashMap<>();
        JsonNode meta = obj.path("metadata");
        f.put("metadata.name", meta.path("name").asText(""));
        f.put("metadata.namespace", meta.path("namespace").asText(""));
        for (String path : EXTRA.getOrDefault(storage, Set.of())) {
            JsonNode n = obj;
            for (String part : path.split("\\.")) {
                n = n.path(part);
            }
            String v;
            if (path.equals("source")) {
                v = obj.path("source").path("component").asText(obj.path("reportingComponent").asText(""));
            } else if (n.isMissingNode() || n.isNull()) {
                v = path.equals("spec.unschedulable") || path.equals("spec.hostNetwork") ? "false" : "";
            } else {
                v = n.asText();
            }
            f.put(path, v);
        }
        return f;
    }

    /** What the cache indexes of one stored object: its name, namespace, labels and selectable fields. */
    public record Scanned(String name, String namespace, Map<String, String> labels, Map<String, String> fields) {}

    /** Per storage: the dotted paths whose values are read, and the objects on the way to them. */
    private record Paths(Set<String> values, Set<String> containers) {}

    private static final Map<String, Paths> PATHS = new ConcurrentHashMap<>();

    private static Paths paths(String storage) {
        return PATHS.computeIfAbsent(storage, s -> {
            Set<String> values = new HashSet<>(Set.of("metadata.name", "metadata.namespace", "metadata.labels"));
            for (String path : EXTRA.getOrDefault(s, Set.of())) {
                if (path.equals("source")) {
                    values.add("source.component");
                    values.add("reportingComponent");
                } else {
                    values.add(path);
                }
            }
            Set<String> containers = new HashSet<>();
            for (String path : values) {
                for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
                    containers.add(path.substring(0, dot));
                }
            }
            return new Paths(Set.copyOf(values), Set.copyOf(containers));
        });
    }

    /**
     * Reads what {@link #extract} and the object's metadata give, from the JSON bytes with a streaming
     * parser that skips everything else (no tree is built): how the cache indexes objects when it is
     * filled at start and on every change. Null when the bytes are not an object with
     * {@code metadata}.
     *
     * @throws IOException when the bytes are not well-formed JSON
     */
    public static Scanned scan(String storage, byte[] json) throws IOException {
        Paths paths = paths(storage);
        Map<String, String> values = new HashMap<>();
        Map<String, String> labels = new HashMap<>();
        boolean[] hasMetadata = {false};
        try (JsonParser p = Json.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            walk(p, "", paths, values, labels, hasMetadata);
        }
        if (!hasMetadata[0]) {
            return null;
        }
        Map<String, String> f = new HashMap<>();
        f.put("metadata.name", values.getOrDefault("metadata.name", ""));
        f.put("metadata.namespace", values.getOrDefault("metadata.namespace", ""));
        for (String path : EXTRA.getOrDefault(storage, Set.of())) {
            String v;
            if (path.equals("source")) {
                v = values.getOrDefault("source.component", values.getOrDefault("reportingComponent", ""));
            } else if (!values.containsKey(path)) {
                v = path.equals("spec.unschedulable") || path.equals("spec.hostNetwork") ? "false" : "";
            } else {
                v = values.get(path);
            }
            f.put(path, v);
        }
        return new Scanned(f.get("metadata.name"), f.get("metadata.namespace"), Map.copyOf(labels), Map.copyOf(f));
    }

    /** Reads the fields of the object the parser has just entered; returns after its END_OBJECT. */
    private static void walk(JsonParser p, String prefix, Paths paths, Map<String, String> values,
                             Map<String, String> labels, boolean[] hasMetadata) throws IOException {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            JsonToken value = p.nextToken();
            if (prefix.isEmpty() && name.equals("metadata")) {
                hasMetadata[0] = true;
            }
            if (path.equals("metadata.labels")) {
                labels.clear();
                if (value == JsonToken.START_OBJECT) {
                    for (JsonToken l = p.nextToken(); l == JsonToken.FIELD_NAME; l = p.nextToken()) {
                        String key = p.currentName();
                        JsonToken lv = p.nextToken();
                        // as JsonNode.asText(): containers read as "", null as "null"
                        labels.put(key, lv.isStructStart() ? skipped(p) : lv == JsonToken.VALUE_NULL ? "null" : p.getText());
                    }
                } else {
                    p.skipChildren();
                }
            } else if (paths.values().contains(path)) {
                if (value.isStructStart()) {
                    values.put(path, skipped(p)); // a container's text is ""
                } else if (value == JsonToken.VALUE_NULL) {
                    values.remove(path); // null reads as missing
                } else {
                    values.put(path, p.getText());
                }
            } else if (paths.containers().contains(path)) {
                // a repeated key replaces what was read below it, as in a tree
                String below = path + ".";
                values.keySet().removeIf(k -> k.startsWith(below));
                if (path.equals("metadata")) {
                    labels.clear();
                }
                if (value == JsonToken.START_OBJECT) {
                    walk(p, path, paths, values, labels, hasMetadata);
                } else {
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static String skipped(JsonParser p) throws IOException {
        p.skipChildren();
        return "";
    }
}
