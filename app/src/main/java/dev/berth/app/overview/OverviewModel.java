package dev.berth.app.overview;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the overview shows, computed from the caches as a pure function (off the FX thread). */
public record OverviewModel(int nodes, int nodesReady, List<String> nodesNotReady, Map<String, Integer> podsByPhase,
                            List<String> notAtDesiredState, List<String> recentWarnings) {

    public static final List<String> PHASES = List.of("Running", "Pending", "Succeeded", "Failed", "Unknown");

    public static OverviewModel compute(List<GenericKubernetesResource> nodes, List<GenericKubernetesResource> pods,
                                        List<GenericKubernetesResource> deployments, List<GenericKubernetesResource> statefulSets,
                                        List<GenericKubernetesResource> daemonSets, List<GenericKubernetesResource> events,
                                        int warningLimit) {
        int ready = 0;
        List<String> notReady = new ArrayList<>();
        for (GenericKubernetesResource n : nodes) {
            if (isReady(n)) {
                ready++;
            } else {
                notReady.add(n.getMetadata().getName());
            }
        }
        notReady.sort(Comparator.naturalOrder());
        Map<String, Integer> phases = new LinkedHashMap<>();
        PHASES.forEach(p -> phases.put(p, 0));
        for (GenericKubernetesResource p : pods) {
            Object phase = p.get("status", "phase");
            phases.merge(phase == null ? "Pending" : phase.toString(), 1, Integer::sum);
        }
        List<String> lagging = new ArrayList<>();
        for (GenericKubernetesResource d : deployments) {
            long want = num(d.get("spec", "replicas"), 1);
            long have = num(d.get("status", "availableReplicas"), 0);
            if (have < want) {
                lagging.add("Deployment " + key(d) + ": " + have + "/" + want + " available");
            }
        }
        for (GenericKubernetesResource s : statefulSets) {
            long want = num(s.get("spec", "replicas"), 1);
            long have = num(s.get("status", "readyReplicas"), 0);
            if (have < want) {
                lagging.add("StatefulSet " + key(s) + ": " + have + "/" + want + " ready");
            }
        }
        for (GenericKubernetesResource s : daemonSets) {
            long want = num(s.get("status", "desiredNumberScheduled"), 0);
            long have = num(s.get("status", "numberReady"), 0);
            if (have < want) {
                lagging.add("DaemonSet " + key(s) + ": " + have + "/" + want + " ready");
            }
        }
        lagging.sort(Comparator.naturalOrder());
        List<GenericKubernetesResource> warnings = new ArrayList<>();
        for (GenericKubernetesResource e : events) {
            if ("Warning".equals(e.get("type"))) {
                warnings.add(e);
            }
        }
        warnings.sort(Comparator.comparing(OverviewModel::eventTime).reversed());
        List<String> recent = new ArrayList<>();
        for (GenericKubernetesResource e : warnings.subList(0, Math.min(warningLimit, warnings.size()))) {
            recent.add(eventTime(e) + "  " + e.get("reason") + "  " + String.valueOf((Object) e.get("involvedObject", "kind"))
                    .toLowerCase(java.util.Locale.ROOT) + "/" + e.get("involvedObject", "name") + ": " + e.get("message"));
        }
        return new OverviewModel(nodes.size(), ready, notReady, phases, lagging, recent);
    }

    @SuppressWarnings("unchecked")
    static boolean isReady(GenericKubernetesResource n) {
        Object list = n.get("status", "conditions");
        if (list instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> c && "Ready".equals(((Map<String, Object>) c).get("type"))) {
                    return "True".equals(c.get("status"));
                }
            }
        }
        return false;
    }

    private static long num(Object v, long fallback) {
        return v instanceof Number n ? n.longValue() : fallback;
    }

    private static String key(GenericKubernetesResource o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static String eventTime(GenericKubernetesResource e) {
        Object t = e.get("lastTimestamp");
        if (t == null) {
            t = e.get("eventTime");
        }
        if (t == null) {
            t = e.getMetadata().getCreationTimestamp();
        }
        return t == null ? "" : t.toString();
    }
}
