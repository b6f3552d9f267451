package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why a pod fits no node, summed as kube-scheduler's FitError writes it:
 * {@code 0/3 nodes are available: 1 node(s) had untolerated taint {node-role: x}, 2 Insufficient memory.}
 * followed by what preemption found ({@code preemption: ...}). Reasons are counted over nodes
 * and the "COUNT reason" strings sorted as strings, as Kubernetes sorts them.
 */
public record FitError(int numAllNodes, Map<String, Status> nodeStatuses, String preFilterMessage,
                       String postFilterMessage) {
    public static final String NO_NODE_AVAILABLE = "0/%d nodes are available";

    public FitError withPostFilterMessage(String message) {
        return new FitError(numAllNodes, nodeStatuses, preFilterMessage, message);
    }

    public String message() {
        StringBuilder b = new StringBuilder(String.format(NO_NODE_AVAILABLE, numAllNodes)).append(':');
        if (preFilterMessage != null && !preFilterMessage.isEmpty()) {
            b.append(' ').append(preFilterMessage).append('.');
        } else {
            List<String> reasons = histogram(nodeStatuses);
            if (!reasons.isEmpty()) {
                b.append(' ').append(String.join(", ", reasons)).append('.');
            }
        }
        if (postFilterMessage != null && !postFilterMessage.isEmpty()) {
            b.append(' ').append(postFilterMessage).append('.');
        }
        return b.toString();
    }

    /** "COUNT reason" per distinct reason, sorted. */
    public static List<String> histogram(Map<String, Status> statuses) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Status s : statuses.values()) {
            for (String r : s.reasons()) {
                counts.merge(r, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>(counts.size());
        counts.forEach((reason, n) -> out.add(n + " " + reason));
        out.sort(null);
        return out;
    }
}
