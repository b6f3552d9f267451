package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.List;
import java.util.Map;

/** Reads fields of generic objects (nested maps) without converting them to typed models. */
final class Fields {
    private Fields() {}

    static Object at(Object root, Object... path) {
        Object cur = root;
        for (Object p : path) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(p);
            } else if (cur instanceof List<?> l && p instanceof Integer i) {
                cur = i < l.size() ? l.get(i) : null;
            } else {
                return null;
            }
        }
        return cur;
    }

    static Object at(GenericKubernetesResource o, Object... path) {
        return at(o.getAdditionalProperties(), path);
    }

    static String str(Object root, Object... path) {
        Object v = root instanceof GenericKubernetesResource g ? at(g, path) : at(root, path);
        return v == null ? null : v.toString();
    }

    static int integer(Object root, int dflt, Object... path) {
        Object v = root instanceof GenericKubernetesResource g ? at(g, path) : at(root, path);
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object root, Object... path) {
        Object v = root instanceof GenericKubernetesResource g ? at(g, path) : at(root, path);
        return v instanceof List<?> l ? (List<Object>) l : List.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object root, Object... path) {
        Object v = root instanceof GenericKubernetesResource g ? at(g, path) : at(root, path);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labels(Object root, Object... path) {
        Map<String, Object> m = map(root, path);
        return (Map<String, String>) (Map<?, ?>) m;
    }

    /** The status of the condition {@code type} ("True", "False", "Unknown"), null when absent. */
    static String condition(GenericKubernetesResource o, String type) {
        for (Object c : list(o, "status", "conditions")) {
            if (type.equals(str(c, "type"))) {
                return str(c, "status");
            }
        }
        return null;
    }

    static String conditionReason(GenericKubernetesResource o, String type) {
        for (Object c : list(o, "status", "conditions")) {
            if (type.equals(str(c, "type"))) {
                return str(c, "reason");
            }
        }
        return null;
    }

    static OwnerReference controller(GenericKubernetesResource o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }
}
