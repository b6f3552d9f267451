package dev.berth.core.scheduler.plugins.podtopologyspread;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.scheduler.framework.Candidates;
import dev.berth.core.scheduler.framework.ClusterSnapshot;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.PreFilterPlugin;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.nodeaffinity.NodeAffinity;
import dev.berth.core.scheduler.plugins.tainttoleration.TaintToleration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * spec.topologySpreadConstraints: DoNotSchedule constraints filter nodes whose domain would
 * exceed maxSkew (honouring minDomains); ScheduleAnyway constraints score nodes with fewer
 * matching pods in their domain higher. Nodes count when they carry every constraint's key and,
 * by default, match the pod's node affinity (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore).
 */
public final class PodTopologySpread implements PreFilterPlugin, FilterPlugin, ScorePlugin {
    public static final String NAME = "PodTopologySpread";
    public static final String ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
    public static final String ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)";
    public static final String DO_NOT_SCHEDULE = "DoNotSchedule";
    public static final String SCHEDULE_ANYWAY = "ScheduleAnyway";

    private static final String STATE = NAME + "/prefilter";
    private static final String SCORE_STATE = NAME + "/prescore";

    /** One constraint, ready to count. */
    public record Constraint(String topologyKey, int maxSkew, LabelSelector selector, int minDomains,
                             boolean honorNodeAffinity, boolean honorTaints) {
    }

    /** Matching pods per domain value, per constraint. */
    static final class Counts {
        final List<Constraint> constraints;
        final List<Map<String, Integer>> perDomain;

        Counts(List<Constraint> constraints) {
            this.constraints = constraints;
            this.perDomain = new ArrayList<>();
            for (int i = 0; i < constraints.size(); i++) {
                perDomain.add(new HashMap<>());
            }
        }

        Counts copy() {
            Counts c = new Counts(constraints);
            for (int i = 0; i < perDomain.size(); i++) {
                c.perDomain.get(i).putAll(perDomain.get(i));
            }
            return c;
        }
    }

    private PodTopologySpread() {
    }

    public static PodTopologySpread create() {
        return new PodTopologySpread();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys merged into the selector. */
    public static List<Constraint> constraints(Pod pod, String whenUnsatisfiable) {
        List<TopologySpreadConstraint> all = pod.getSpec().getTopologySpreadConstraints();
        if (all == null || all.isEmpty()) {
            return List.of();
        }
        Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        List<Constraint> out = new ArrayList<>();
        for (TopologySpreadConstraint c : all) {
            if (!whenUnsatisfiable.equals(c.getWhenUnsatisfiable())) {
                continue;
            }
            LabelSelector selector = LabelSelector.from(c.getLabelSelector());
            if (c.getMatchLabelKeys() != null && !c.getMatchLabelKeys().isEmpty() && !selector.selectsNothing()) {
                List<LabelSelector.Requirement> reqs = new ArrayList<>(selector.requirements());
                for (String key : c.getMatchLabelKeys()) {
                    if (podLabels.containsKey(key)) {
                        reqs.add(new LabelSelector.Requirement(key, LabelSelector.Operator.IN, List.of(podLabels.get(key))));
                    }
                }
                selector = LabelSelector.of(reqs);
            }
            out.add(new Constraint(c.getTopologyKey(), c.getMaxSkew() == null ? 1 : c.getMaxSkew(), selector,
                    c.getMinDomains() == null ? 1 : c.getMinDomains(),
                    !"Ignore".equals(c.getNodeAffinityPolicy()), "Honor".equals(c.getNodeTaintsPolicy())));
        }
        return out;
    }

    /** A node counts when it carries every key and passes the policies. */
    static boolean eligible(List<Constraint> constraints, PodInfo pod, NodeInfo node) {
        boolean honorAffinity = false, honorTaints = false;
        for (Constraint c : constraints) {
            if (!node.labels().containsKey(c.topologyKey())) {
                return false;
            }
            honorAffinity |= c.honorNodeAffinity();
            honorTaints |= c.honorTaints();
        }
        if (honorAffinity && !NodeAffinity.matchesRequired(pod.pod(), node.node())) {
            return false;
        }
        return !honorTaints || TaintToleration.firstUntolerated(node.node().getSpec().getTaints(),
                pod.pod().getSpec().getTolerations()).isEmpty();
    }

    static Counts count(List<Constraint> constraints, PodInfo pod, ClusterSnapshot cluster) {
        Counts counts = new Counts(constraints);
        Map<String, Boolean> eligibleNodes = new HashMap<>();
        for (NodeInfo node : cluster.nodes()) {
            boolean ok = eligible(constraints, pod, node);
            eligibleNodes.put(node.name(), ok);
            if (ok) {
                for (int i = 0; i < constraints.size(); i++) {
                    counts.perDomain.get(i).putIfAbsent(node.labels().get(constraints.get(i).topologyKey()), 0);
                }
            }
        }
        for (int i = 0; i < constraints.size(); i++) {
            Constraint c = constraints.get(i);
            Map<String, Integer> perDomain = counts.perDomain.get(i);
            for (PodInfo existing : Candidates.forSelector(c.selector(), cluster)) {
                if (existing.nodeName() == null || !eligibleNodes.getOrDefault(existing.nodeName(), false)
                        || !counted(c, pod, existing)) {
                    continue;
                }
                perDomain.merge(cluster.node(existing.nodeName()).labels().get(c.topologyKey()), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static boolean counted(Constraint c, PodInfo pod, PodInfo existing) {
        return !existing.isTerminating() && existing.namespace().equals(pod.namespace())
                && c.selector().matches(existing.labels());
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        List<Constraint> constraints = constraints(pod.pod(), DO_NOT_SCHEDULE);
        if (!constraints.isEmpty()) {
            state.put(STATE, count(constraints, pod, cluster));
        }
        return Status.SUCCESS;
    }

    @Override
    public void updateState(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, boolean added) {
        Counts counts = state.get(STATE);
        if (counts == null || !eligible(counts.constraints, pod, node)) {
            return;
        }
        Counts c = counts.copy();
        for (int i = 0; i < c.constraints.size(); i++) {
            Constraint constraint = c.constraints.get(i);
            if (counted(constraint, pod, other)) {
                c.perDomain.get(i).merge(node.labels().get(constraint.topologyKey()), added ? 1 : -1, Integer::sum);
            }
        }
        state.put(STATE, c);
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.get(STATE);
        return counts == null ? Status.SUCCESS : filter(counts, pod, node.labels());
    }

    static Status filter(Counts counts, PodInfo pod, Map<String, String> nodeLabels) {
        for (int i = 0; i < counts.constraints.size(); i++) {
            Constraint c = counts.constraints.get(i);
            String value = nodeLabels.get(c.topologyKey());
            if (value == null) {
                return Status.unresolvable(NAME, ERR_REASON_NODE_LABEL_NOT_MATCH);
            }
            Map<String, Integer> perDomain = counts.perDomain.get(i);
            int min = perDomain.size() < c.minDomains() ? 0
                    : perDomain.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            int self = c.selector().matches(pod.labels()) ? 1 : 0;
            int skew = perDomain.getOrDefault(value, 0) + self - min;
            if (skew > c.maxSkew()) {
                return Status.unschedulable(NAME, ERR_REASON_CONSTRAINTS_NOT_MATCH);
            }
        }
        return Status.SUCCESS;
    }

    // ---- scoring ---------------------------------------------------------------------------

    @Override
    public void preScore(CycleState state, PodInfo pod, List<NodeInfo> feasible, ClusterSnapshot cluster) {
        List<Constraint> soft = constraints(pod.pod(), SCHEDULE_ANYWAY);
        state.put(SCORE_STATE, soft.isEmpty() ? null : count(soft, pod, cluster));
    }

    /** Ignored nodes (missing a key) score -1 here and 0 after normalising. */
    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.get(SCORE_STATE);
        if (counts == null) {
            return 0;
        }
        double score = 0;
        for (int i = 0; i < counts.constraints.size(); i++) {
            Constraint c = counts.constraints.get(i);
            String value = node.labels().get(c.topologyKey());
            if (value == null) {
                return -1;
            }
            Map<String, Integer> perDomain = counts.perDomain.get(i);
            double weight = Math.log(perDomain.size() + 2);
            score += perDomain.getOrDefault(value, 0) * weight + (c.maxSkew() - 1);
        }
        return Math.round(score);
    }

    /** Fewer matching pods is better: 100 x (max + min - s) / max, as kube's NormalizeScore. */
    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        if (state.get(SCORE_STATE) == null) {
            return;
        }
        long min = Long.MAX_VALUE, max = 0;
        for (long s : scores) {
            if (s >= 0) {
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < 0) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_SCORE;
            } else {
                scores[i] = MAX_SCORE * (max + min - scores[i]) / max;
            }
        }
    }
}
