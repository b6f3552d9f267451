package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.registry.ResourceType;

/**
 * Conversion between the served versions of a resource and its stored version. Only
 * HorizontalPodAutoscaler is served at two versions: autoscaling/v2 is stored, autoscaling/v1 is
 * converted (targetCPUUtilizationPercentage ↔ a cpu Resource metric), as Kubernetes does.
 */
public final class Conversions {
    private static final String HPA_CPU_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";

    public boolean converts(ResourceType t) {
        return t.group().equals("autoscaling") && t.version().equals("v1");
    }

    /** A request body in {@code t}'s version, as the stored version. */
    public ObjectNode toStorage(ResourceType t, ObjectNode body) {
        if (t.isCustom()) {
            // conversion strategy None: only apiVersion differs, and the storage version sets its own
            if (body.path("apiVersion").asText("").equals(t.apiVersion())) {
                body.remove("apiVersion");
            }
            return body;
        }
        if (!converts(t)) {
            return body;
        }
        ObjectNode out = body.deepCopy();
        if (body.path("apiVersion").asText("autoscaling/v1").equals("autoscaling/v1")) {
            out.put("apiVersion", "autoscaling/v2");
        }
        JsonNode spec = body.path("spec");
        if (spec instanceof ObjectNode s) {
            ObjectNode ns = s.deepCopy();
            JsonNode target = ns.remove("targetCPUUtilizationPercentage");
            if (target != null && !target.isNull()) {
                ArrayNode metrics = ns.putArray("metrics");
                ObjectNode m = metrics.addObject();
                m.put("type", "Resource");
                ObjectNode r = m.putObject("resource");
                r.put("name", "cpu");
                ObjectNode tg = r.putObject("target");
                tg.put("type", "Utilization");
                tg.set("averageUtilization", target);
            }
            out.set("spec", ns);
        }
        JsonNode status = body.path("status");
        if (status instanceof ObjectNode st) {
            ObjectNode ns = st.deepCopy();
            JsonNode cur = ns.remove("currentCPUUtilizationPercentage");
            if (cur != null && !cur.isNull()) {
                ObjectNode m = ns.putArray("currentMetrics").addObject();
                m.put("type", "Resource");
                ObjectNode r = m.putObject("resource");
                r.put("name", "cpu");
                r.putObject("current").set("averageUtilization", cur);
            }
            out.set("status", ns);
        }
        return out;
    }

    /** Stored JSON as {@code t}'s version. */
    public byte[] fromStorage(ResourceType t, byte[] json) {
        if (t.isCustom()) {
            return customFromStorage(t, json);
        }
        if (!converts(t)) {
            return json;
        }
        ObjectNode in = Json.parseObject(json);
        if (!"autoscaling/v2".equals(in.path("apiVersion").asText())) {
            return json;
        }
        ObjectNode out = in.deepCopy();
        out.put("apiVersion", "autoscaling/v1");
        JsonNode spec = in.path("spec");
        if (spec instanceof ObjectNode s) {
            ObjectNode ns = s.deepCopy();
            JsonNode metrics = ns.remove("metrics");
            ns.remove("behavior");
            if (metrics != null) {
                for (JsonNode m : metrics) {
                    if ("Resource".equals(m.path("type").asText()) && "cpu".equals(m.path("resource").path("name").asText())
                            && m.path("resource").path("target").has("averageUtilization")) {
                        ns.set("targetCPUUtilizationPercentage", m.path("resource").path("target").get("averageUtilization"));
                    }
                }
            }
            out.set("spec", ns);
        }
        JsonNode status = in.path("status");
        if (status instanceof ObjectNode st) {
            ObjectNode ns = st.deepCopy();
            JsonNode cur = ns.remove("currentMetrics");
            ns.remove("conditions");
            if (cur != null) {
                for (JsonNode m : cur) {
                    if ("cpu".equals(m.path("resource").path("name").asText())
                            && m.path("resource").path("current").has("averageUtilization")) {
                        ns.set("currentCPUUtilizationPercentage", m.path("resource").path("current").get("averageUtilization"));
                    }
                }
            }
            out.set("status", ns);
        }
        return Json.bytes(out);
    }

    /** Defaulting of custom resources read from storage: true when it changed the object. */
    public interface CustomResourceDefaults {
        boolean applyOnRead(ResourceType type, ObjectNode object);
    }

    private volatile CustomResourceDefaults customDefaults = (t, o) -> false;

    public void useCustomResourceDefaults(CustomResourceDefaults defaults) {
        this.customDefaults = defaults;
    }

    /**
     * Conversion strategy None: a custom resource in another served version differs only in
     * apiVersion. Defaults are applied on the way out too, so that a default added to the CRD
     * shows on objects stored before.
     */
    private byte[] customFromStorage(ResourceType t, byte[] json) {
        ObjectNode in = Json.parseObject(json);
        boolean changed = customDefaults.applyOnRead(t, in);
        if (in.has("apiVersion") && !in.path("apiVersion").asText().equals(t.apiVersion())) {
            in.put("apiVersion", t.apiVersion());
            changed = true;
        }
        return changed ? Json.bytes(in) : json;
    }

    static String annotation() {
        return HPA_CPU_ANNOTATION;
    }
}
