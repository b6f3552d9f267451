package dev.berth.core.scheduler.framework;

import java.util.List;

/** The scheduler cache as plugins see it during one cycle: every node with its pods. */
public interface ClusterSnapshot {
    List<NodeInfo> nodes();

    NodeInfo node(String name);

    /**
     * Pods placed on nodes whose labels hold {@code key=value} (assigned or assumed), from the
     * cache's label index; a superset of candidates is fine, callers check selectors themselves.
     */
    Iterable<PodInfo> podsWithLabel(String key, String value);

    /** Every pod placed on a node. */
    Iterable<PodInfo> allPods();

    /** Pods on nodes that carry required or preferred inter-pod (anti-)affinity terms. */
    java.util.Collection<PodInfo> podsWithAffinity();
}
