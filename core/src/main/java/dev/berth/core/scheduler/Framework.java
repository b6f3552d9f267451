package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.ClusterSnapshot;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.PreFilterPlugin;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.interpodaffinity.InterPodAffinity;
import dev.berth.core.scheduler.plugins.nodeaffinity.NodeAffinity;
import dev.berth.core.scheduler.plugins.nodename.NodeName;
import dev.berth.core.scheduler.plugins.nodeports.NodePorts;
import dev.berth.core.scheduler.plugins.noderesources.BalancedAllocation;
import dev.berth.core.scheduler.plugins.noderesources.NodeResourcesFit;
import dev.berth.core.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import dev.berth.core.scheduler.plugins.podtopologyspread.PodTopologySpread;
import dev.berth.core.scheduler.plugins.tainttoleration.TaintToleration;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeBinding;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeListers;

import java.util.List;

/**
 * The plugins of the default profile in kube-scheduler's order, with its score weights, and the
 * code that runs them: PreFilter once, Filter per node (first rejection wins), Score per
 * feasible node, normalised and weighted.
 */
public final class Framework {
    /** A score plugin and its weight. */
    public record Weighted(ScorePlugin plugin, int weight) {
    }

    private final List<PreFilterPlugin> preFilters;
    private final List<FilterPlugin> filters;
    private final List<Weighted> scorers;
    private final VolumeBinding volumeBinding;

    public Framework(List<PreFilterPlugin> preFilters, List<FilterPlugin> filters, List<Weighted> scorers,
                     VolumeBinding volumeBinding) {
        this.preFilters = List.copyOf(preFilters);
        this.filters = List.copyOf(filters);
        this.scorers = List.copyOf(scorers);
        this.volumeBinding = volumeBinding;
    }

    /** Kube-scheduler's default plugins and weights (TaintToleration 3; affinity, spread 2; resources 1). */
    public static Framework defaults(VolumeListers volumes) {
        NodeResourcesFit fit = NodeResourcesFit.create();
        NodeAffinity nodeAffinity = NodeAffinity.create();
        TaintToleration taints = TaintToleration.create();
        InterPodAffinity podAffinity = InterPodAffinity.create();
        PodTopologySpread spread = PodTopologySpread.create();
        VolumeBinding volumeBinding = VolumeBinding.create(volumes);
        return new Framework(
                List.of(podAffinity, spread, volumeBinding),
                List.of(NodeUnschedulable.create(), NodeName.create(), taints, nodeAffinity, NodePorts.create(),
                        fit, volumeBinding, spread, podAffinity),
                List.of(new Weighted(taints, 3), new Weighted(nodeAffinity, 2), new Weighted(fit, 1),
                        new Weighted(BalancedAllocation.create(), 1), new Weighted(podAffinity, 2),
                        new Weighted(spread, 2)),
                volumeBinding);
    }

    public VolumeBinding volumeBinding() {
        return volumeBinding;
    }

    /** The first PreFilter rejection, or success. */
    public Status runPreFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        for (PreFilterPlugin p : preFilters) {
            Status s = p.preFilter(state, pod, cluster);
            if (!s.isSuccess()) {
                return s;
            }
        }
        return Status.SUCCESS;
    }

    public Status runFilters(CycleState state, PodInfo pod, NodeInfo node) {
        for (FilterPlugin f : filters) {
            Status s = f.filter(state, pod, node);
            if (!s.isSuccess()) {
                return s;
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Filters with the pods nominated to the node (of at least the pod's priority) counted as if
     * they ran there, so that preemption's freed room is not taken by others.
     */
    public Status runFiltersWithNominated(CycleState state, PodInfo pod, NodeInfo node, List<PodInfo> nominated) {
        boolean any = false;
        for (PodInfo p : nominated) {
            if (p.priority() >= pod.priority()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return runFilters(state, pod, node);
        }
        NodeInfo copy = node.copy();
        CycleState stateCopy = state.copy();
        for (PodInfo p : nominated) {
            if (p.priority() >= pod.priority()) {
                copy.addPod(p);
                updateState(stateCopy, pod, p, copy, true);
            }
        }
        Status s = runFilters(stateCopy, pod, copy);
        return s.isSuccess() ? runFilters(state, pod, node) : s;
    }

    public void updateState(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, boolean added) {
        for (PreFilterPlugin p : preFilters) {
            p.updateState(state, pod, other, node, added);
        }
    }

    /** Weighted sum of normalised scores per feasible node, in the order given. */
    public long[] score(CycleState state, PodInfo pod, List<NodeInfo> feasible, ClusterSnapshot cluster) {
        long[] total = new long[feasible.size()];
        long[] scores = new long[feasible.size()];
        for (Weighted w : scorers) {
            ScorePlugin p = w.plugin();
            p.preScore(state, pod, feasible, cluster);
            for (int i = 0; i < scores.length; i++) {
                scores[i] = p.score(state, pod, feasible.get(i));
            }
            p.normalize(state, pod, scores);
            for (int i = 0; i < scores.length; i++) {
                total[i] += scores[i] * w.weight();
            }
        }
        return total;
    }
}
