package dev.berth.core.scheduler.framework;

/** Decides whether the pod can run on one node. Must be side-effect free. */
public interface FilterPlugin extends Plugin {
    Status filter(CycleState state, PodInfo pod, NodeInfo node);
}
