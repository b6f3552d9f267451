package dev.berth.core.scheduler.framework;

/**
 * Runs once per cycle before the filters, to compute what the filter needs across the whole
 * cluster (counts per topology domain, claims) or to turn the pod away at once.
 */
public interface PreFilterPlugin extends Plugin {
    Status preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster);

    /**
     * Keeps the state computed in {@link #preFilter} up to date when preemption's dry run removes
     * ({@code added == false}) or re-adds a pod on a node. Plugins without cross-node state ignore it.
     */
    default void updateState(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, boolean added) {
    }
}
