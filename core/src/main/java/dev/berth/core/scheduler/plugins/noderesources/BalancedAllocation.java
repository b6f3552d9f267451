package dev.berth.core.scheduler.plugins.noderesources;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.ScorePlugin;

/**
 * Prefers nodes whose cpu and memory would be used in similar shares after placing the pod:
 * the score is (1 - standard deviation of the shares) x 100, as kube-scheduler's
 * NodeResourcesBalancedAllocation.
 */
public final class BalancedAllocation implements ScorePlugin {
    public static final String NAME = "NodeResourcesBalancedAllocation";

    private BalancedAllocation() {
    }

    public static BalancedAllocation create() {
        return new BalancedAllocation();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        return balanced(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu(), node.allocatableMilliCpu(),
                node.nonZeroMemory() + pod.nonZeroMemory(), node.allocatableMemory());
    }

    public static long balanced(long requestedCpu, long allocatableCpu, long requestedMemory, long allocatableMemory) {
        if (allocatableCpu == 0 || allocatableMemory == 0) {
            return 0;
        }
        double cpu = Math.min(1.0, (double) requestedCpu / allocatableCpu);
        double memory = Math.min(1.0, (double) requestedMemory / allocatableMemory);
        // the standard deviation of two values is half their distance
        double std = Math.abs(cpu - memory) / 2;
        return (long) ((1 - std) * MAX_SCORE);
    }
}
