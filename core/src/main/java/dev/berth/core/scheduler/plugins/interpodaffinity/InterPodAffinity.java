package dev.berth.core.scheduler.plugins.interpodaffinity;

import dev.berth.core.scheduler.framework.AffinityTerm;
import dev.berth.core.scheduler.framework.Candidates;
import dev.berth.core.scheduler.framework.ClusterSnapshot;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.PreFilterPlugin;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Required pod affinity and anti-affinity of the incoming pod, the required anti-affinity of the
 * pods already placed against it, and preferred terms of both sides as a score. Counts per
 * topology domain (topologyKey = value of the node label) are computed once per cycle.
 */
public final class InterPodAffinity implements PreFilterPlugin, FilterPlugin, ScorePlugin {
    public static final String NAME = "InterPodAffinity";
    public static final String ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
    public static final String ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
    public static final String ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
    /** Weight of existing pods' required affinity terms in scoring (kube's hardPodAffinityWeight). */
    public static final int HARD_POD_AFFINITY_WEIGHT = 1;

    private static final String STATE = NAME + "/prefilter";
    private static final String SCORE_STATE = NAME + "/prescore";

    /** A topology domain: a node label key and its value. */
    public record Domain(String key, String value) {
    }

    /** Counts per domain, the result of PreFilter. */
    static final class Counts {
        final Map<Domain, Integer> existingAntiAffinity = new HashMap<>();
        final Map<Domain, Integer> affinity = new HashMap<>();
        final Map<Domain, Integer> antiAffinity = new HashMap<>();

        Counts copy() {
            Counts c = new Counts();
            c.existingAntiAffinity.putAll(existingAntiAffinity);
            c.affinity.putAll(affinity);
            c.antiAffinity.putAll(antiAffinity);
            return c;
        }
    }

    private InterPodAffinity() {
    }

    public static InterPodAffinity create() {
        return new InterPodAffinity();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        Counts counts = new Counts();
        for (PodInfo existing : cluster.podsWithAffinity()) {
            if (!existing.requiredAntiAffinity().isEmpty()) {
                countExistingAntiAffinity(counts, pod, existing, cluster.node(existing.nodeName()), 1);
            }
        }
        if (!pod.requiredAffinity().isEmpty()) {
            Set<String> seen = new HashSet<>();
            for (AffinityTerm t : pod.requiredAffinity()) {
                for (PodInfo existing : Candidates.forSelector(t.selector(), cluster)) {
                    if (seen.add(existing.key())) {
                        countAffinity(counts, pod, existing, cluster.node(existing.nodeName()), 1);
                    }
                }
            }
        }
        if (!pod.requiredAntiAffinity().isEmpty()) {
            Set<String> seen = new HashSet<>();
            for (AffinityTerm t : pod.requiredAntiAffinity()) {
                for (PodInfo existing : Candidates.forSelector(t.selector(), cluster)) {
                    if (seen.add(existing.key())) {
                        countAntiAffinity(counts, pod, existing, cluster.node(existing.nodeName()), 1);
                    }
                }
            }
        }
        state.put(STATE, counts);
        return Status.SUCCESS;
    }

    private static void countExistingAntiAffinity(Counts counts, PodInfo pod, PodInfo existing, NodeInfo node, int delta) {
        if (node == null) {
            return;
        }
        for (AffinityTerm t : existing.requiredAntiAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(pod)) {
                counts.existingAntiAffinity.merge(new Domain(t.topologyKey(), value), delta, Integer::sum);
            }
        }
    }

    /** A placed pod counts for the incoming pod's affinity when it matches every required term. */
    private static void countAffinity(Counts counts, PodInfo pod, PodInfo existing, NodeInfo node, int delta) {
        if (node == null || !matchesAll(pod.requiredAffinity(), existing)) {
            return;
        }
        for (AffinityTerm t : pod.requiredAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value != null) {
                counts.affinity.merge(new Domain(t.topologyKey(), value), delta, Integer::sum);
            }
        }
    }

    private static void countAntiAffinity(Counts counts, PodInfo pod, PodInfo existing, NodeInfo node, int delta) {
        if (node == null) {
            return;
        }
        for (AffinityTerm t : pod.requiredAntiAffinity()) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(existing)) {
                counts.antiAffinity.merge(new Domain(t.topologyKey(), value), delta, Integer::sum);
            }
        }
    }

    private static boolean matchesAll(List<AffinityTerm> terms, PodInfo pod) {
        for (AffinityTerm t : terms) {
            if (!t.matches(pod)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void updateState(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, boolean added) {
        Counts counts = state.<Counts>get(STATE);
        if (counts == null) {
            return;
        }
        Counts c = counts.copy();
        int delta = added ? 1 : -1;
        countExistingAntiAffinity(c, pod, other, node, delta);
        countAffinity(c, pod, other, node, delta);
        countAntiAffinity(c, pod, other, node, delta);
        state.put(STATE, c);
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.get(STATE);
        return filter(counts, pod, node.labels());
    }

    /** Kube's order: the pod's affinity, then its anti-affinity, then the placed pods' anti-affinity. */
    static Status filter(Counts counts, PodInfo pod, Map<String, String> nodeLabels) {
        if (!pod.requiredAffinity().isEmpty()) {
            boolean allFound = true;
            for (AffinityTerm t : pod.requiredAffinity()) {
                String value = nodeLabels.get(t.topologyKey());
                if (value == null) {
                    return Status.unresolvable(NAME, ERR_REASON_AFFINITY);
                }
                if (counts.affinity.getOrDefault(new Domain(t.topologyKey(), value), 0) <= 0) {
                    allFound = false;
                }
            }
            // the first pod of a group that selects itself may go anywhere its terms' keys exist
            boolean noneAnywhere = counts.affinity.values().stream().noneMatch(n -> n > 0);
            if (!allFound && !(noneAnywhere && matchesAll(pod.requiredAffinity(), pod))) {
                return Status.unresolvable(NAME, ERR_REASON_AFFINITY);
            }
        }
        for (AffinityTerm t : pod.requiredAntiAffinity()) {
            String value = nodeLabels.get(t.topologyKey());
            if (value != null && counts.antiAffinity.getOrDefault(new Domain(t.topologyKey(), value), 0) > 0) {
                return Status.unschedulable(NAME, ERR_REASON_ANTI_AFFINITY);
            }
        }
        for (Map.Entry<Domain, Integer> e : counts.existingAntiAffinity.entrySet()) {
            if (e.getValue() > 0 && e.getKey().value().equals(nodeLabels.get(e.getKey().key()))) {
                return Status.unschedulable(NAME, ERR_REASON_EXISTING_ANTI_AFFINITY);
            }
        }
        return Status.SUCCESS;
    }

    // ---- scoring ---------------------------------------------------------------------------

    @Override
    public void preScore(CycleState state, PodInfo pod, List<NodeInfo> feasible, ClusterSnapshot cluster) {
        Map<Domain, Long> scores = new HashMap<>();
        boolean own = !pod.preferredAffinity().isEmpty() || !pod.preferredAntiAffinity().isEmpty();
        Iterable<PodInfo> pods = own ? cluster.allPods() : cluster.podsWithAffinity();
        for (PodInfo existing : pods) {
            NodeInfo node = cluster.node(existing.nodeName());
            if (node != null) {
                scoreExisting(scores, pod, existing, node.labels());
            }
        }
        state.put(SCORE_STATE, scores);
    }

    /** Adds what one placed pod contributes to the domain scores, as kube's processExistingPod. */
    static void scoreExisting(Map<Domain, Long> scores, PodInfo pod, PodInfo existing, Map<String, String> existingNodeLabels) {
        for (AffinityTerm t : pod.preferredAffinity()) {
            add(scores, t, existingNodeLabels, t.matches(existing) ? t.weight() : 0);
        }
        for (AffinityTerm t : pod.preferredAntiAffinity()) {
            add(scores, t, existingNodeLabels, t.matches(existing) ? -t.weight() : 0);
        }
        for (AffinityTerm t : existing.requiredAffinity()) {
            add(scores, t, existingNodeLabels, t.matches(pod) ? HARD_POD_AFFINITY_WEIGHT : 0);
        }
        for (AffinityTerm t : existing.preferredAffinity()) {
            add(scores, t, existingNodeLabels, t.matches(pod) ? t.weight() : 0);
        }
        for (AffinityTerm t : existing.preferredAntiAffinity()) {
            add(scores, t, existingNodeLabels, t.matches(pod) ? -t.weight() : 0);
        }
    }

    private static void add(Map<Domain, Long> scores, AffinityTerm t, Map<String, String> labels, long weight) {
        if (weight == 0) {
            return;
        }
        String value = labels.get(t.topologyKey());
        if (value != null) {
            scores.merge(new Domain(t.topologyKey(), value), weight, Long::sum);
        }
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Map<Domain, Long> scores = state.get(SCORE_STATE);
        long sum = 0;
        for (Map.Entry<Domain, Long> e : scores.entrySet()) {
            if (e.getKey().value().equals(node.labels().get(e.getKey().key()))) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** Min-max to 0..100 (scores can be negative). */
    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        if (scores.length == 0) {
            return;
        }
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        long diff = max - min;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = diff > 0 ? MAX_SCORE * (scores[i] - min) / diff : 0;
        }
    }
}
