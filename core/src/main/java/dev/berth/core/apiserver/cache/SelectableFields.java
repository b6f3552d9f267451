package dev.berth.core.apiserver.cache;

import com.fasterxml.jackson.databind.JsonNode;

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
}
