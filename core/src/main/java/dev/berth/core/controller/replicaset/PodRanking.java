package dev.berth.core.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders pods least useful first, the order in which a scale-down deletes them (Kubernetes'
 * {@code ActivePodsWithRanks}): unassigned before assigned; Pending before Unknown before
 * Running; not ready before ready; lower {@code controller.kubernetes.io/pod-deletion-cost}
 * first; pods doubled up on a node with more of their siblings first; ready for a shorter time
 * first; more restarts first; newer first.
 */
public final class PodRanking {
    public static final String DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

    private PodRanking() {
    }

    /** The {@code count} least useful of {@code pods}, ranked among themselves (siblings on a node). */
    public static List<Pod> leastUseful(List<Pod> pods, int count) {
        Map<String, Integer> onNode = new HashMap<>();
        for (Pod p : pods) {
            String node = nodeName(p);
            if (!node.isEmpty()) {
                onNode.merge(node, 1, Integer::sum);
            }
        }
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(comparator(p -> nodeName(p).isEmpty() ? 0 : onNode.getOrDefault(nodeName(p), 0)));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    /** Least useful first, where {@code rank} counts a pod's siblings on its node (higher goes first). */
    static Comparator<Pod> comparator(java.util.function.ToIntFunction<Pod> rank) {
        return Comparator.<Pod>comparingInt(p -> nodeName(p).isEmpty() ? 0 : 1)
                .thenComparingInt(PodRanking::phaseOrdinal)
                .thenComparingInt(p -> Pods.isReady(p) ? 1 : 0)
                .thenComparingLong(PodRanking::deletionCost)
                .thenComparing(Comparator.comparingInt(rank).reversed())
                .thenComparing(PodRanking::readySince, Comparator.nullsFirst(Comparator.<Instant>reverseOrder()))
                .thenComparing(Comparator.comparingInt(PodRanking::maxRestarts).reversed())
                .thenComparing(p -> Pods.instant(p.getMetadata().getCreationTimestamp()),
                        Comparator.nullsFirst(Comparator.<Instant>reverseOrder()));
    }

    private static Instant readySince(Pod p) {
        return Pods.readySince(p);
    }

    private static String nodeName(Pod p) {
        return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    private static int phaseOrdinal(Pod p) {
        return switch (Pods.phase(p)) {
            case "Pending" -> 0;
            case "Unknown" -> 1;
            case "Running" -> 2;
            default -> 3;
        };
    }

    /** Kubernetes ignores a cost that is not a valid int32 (treats it as 0). */
    private static long deletionCost(Pod p) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(DELETION_COST_ANNOTATION);
        if (v == null) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int maxRestarts(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return 0;
        }
        return p.getStatus().getContainerStatuses().stream()
                .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).max().orElse(0);
    }
}
