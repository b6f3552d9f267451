package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;

/** The scale subresource of a custom resource, at the paths its CRD names (specReplicasPath and friends). */
final class CustomScale {
    private CustomScale() {
    }

    /** An autoscaling/v1 Scale carrying the identity of {@code obj}; spec and status are the caller's. */
    static ObjectNode scaleHeader(JsonNode obj) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Scale");
        s.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = s.putObject("metadata");
        JsonNode om = obj.path("metadata");
        meta.put("name", om.path("name").asText());
        if (om.has("namespace")) meta.put("namespace", om.path("namespace").asText());
        meta.put("uid", om.path("uid").asText());
        meta.put("resourceVersion", om.path("resourceVersion").asText());
        meta.put("creationTimestamp", om.path("creationTimestamp").asText());
        return s;
    }

    static ObjectNode scaleOf(ObjectNode obj, JsonNode scale) {
        ObjectNode s = scaleHeader(obj);
        s.putObject("spec").put("replicas", at(obj, scale.path("specReplicasPath").asText()).asInt(0));
        ObjectNode st = s.putObject("status");
        st.put("replicas", at(obj, scale.path("statusReplicasPath").asText()).asInt(0));
        String selectorPath = scale.path("labelSelectorPath").asText("");
        JsonNode selector = selectorPath.isEmpty() ? null : at(obj, selectorPath);
        if (selector != null && selector.isTextual() && !selector.asText().isEmpty()) {
            st.put("selector", selector.asText());
        }
        return s;
    }

    /** The value at a simple JSON path such as {@code .spec.replicas}; missing when absent. */
    static JsonNode at(JsonNode obj, String path) {
        JsonNode n = obj;
        for (String part : path.split("\\.")) {
            if (!part.isEmpty()) {
                n = n.path(part);
            }
        }
        return n;
    }

    static void set(ObjectNode obj, String path, int value) {
        String[] parts = java.util.Arrays.stream(path.split("\\.")).filter(p -> !p.isEmpty()).toArray(String[]::new);
        ObjectNode n = obj;
        for (int i = 0; i < parts.length - 1; i++) {
            n = n.withObject(parts[i]);
        }
        n.put(parts[parts.length - 1], value);
    }
}
