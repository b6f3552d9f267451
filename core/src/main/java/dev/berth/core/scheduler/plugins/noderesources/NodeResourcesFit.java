package dev.berth.core.scheduler.plugins.noderesources;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the pod's requests against what the node has left (allocatable minus the requests of
 * its pods, including assumed ones) and the node's pod count; scores with LeastAllocated
 * (cpu and memory, weight 1 each), as kube-scheduler's default strategy.
 */
public final class NodeResourcesFit implements FilterPlugin, ScorePlugin {
    public static final String NAME = "NodeResourcesFit";
    public static final String TOO_MANY_PODS = "Too many pods";
    public static final String INSUFFICIENT = "Insufficient ";

    private NodeResourcesFit() {
    }

    public static NodeResourcesFit create() {
        return new NodeResourcesFit();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<String> reasons = insufficientResources(pod, node);
        return reasons.isEmpty() ? Status.SUCCESS : Status.unschedulable(NAME, reasons.toArray(String[]::new));
    }

    /** The reasons the pod does not fit, in Kubernetes' order and words; empty when it fits. */
    public static List<String> insufficientResources(PodInfo pod, NodeInfo node) {
        List<String> reasons = new ArrayList<>(1);
        if (node.pods().size() + 1 > node.allocatablePods()) {
            reasons.add(TOO_MANY_PODS);
        }
        if (pod.milliCpu() > 0 && pod.milliCpu() > node.allocatableMilliCpu() - node.requestedMilliCpu()) {
            reasons.add(INSUFFICIENT + "cpu");
        }
        if (pod.memory() > 0 && pod.memory() > node.allocatableMemory() - node.requestedMemory()) {
            reasons.add(INSUFFICIENT + "memory");
        }
        if (pod.ephemeralStorage() > 0
                && pod.ephemeralStorage() > node.allocatableEphemeralStorage() - node.requestedEphemeralStorage()) {
            reasons.add(INSUFFICIENT + "ephemeral-storage");
        }
        for (Map.Entry<String, Long> e : pod.scalar().entrySet()) {
            if (e.getValue() > node.allocatableScalar(e.getKey()) - node.requestedScalar(e.getKey())) {
                reasons.add(INSUFFICIENT + e.getKey());
            }
        }
        return reasons;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        return leastAllocated(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu(), node.allocatableMilliCpu(),
                node.nonZeroMemory() + pod.nonZeroMemory(), node.allocatableMemory());
    }

    /** Mean over cpu and memory of the free share after placing the pod, 0..100. */
    public static long leastAllocated(long requestedCpu, long allocatableCpu, long requestedMemory, long allocatableMemory) {
        return (free(requestedCpu, allocatableCpu) + free(requestedMemory, allocatableMemory)) / 2;
    }

    private static long free(long requested, long allocatable) {
        if (allocatable == 0 || requested > allocatable) {
            return 0;
        }
        return (allocatable - requested) * MAX_SCORE / allocatable;
    }
}
