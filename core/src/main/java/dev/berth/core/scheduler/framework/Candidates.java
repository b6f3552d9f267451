package dev.berth.core.scheduler.framework;

import dev.berth.core.api.labels.LabelSelector;

import java.util.ArrayList;
import java.util.List;

/** Narrows the pods a label selector can match through the cache's label index. */
public final class Candidates {
    private Candidates() {
    }

    /**
     * Placed pods that may match {@code selector}: those carrying one of the values of its first
     * equality or In requirement, or every placed pod when it has none. Callers still match.
     */
    public static Iterable<PodInfo> forSelector(LabelSelector selector, ClusterSnapshot cluster) {
        if (selector.selectsNothing()) {
            return List.of();
        }
        for (LabelSelector.Requirement r : selector.requirements()) {
            switch (r.operator()) {
                case IN, EQUALS, DOUBLE_EQUALS -> {
                    if (r.values().size() == 1) {
                        return cluster.podsWithLabel(r.key(), r.values().getFirst());
                    }
                    List<PodInfo> out = new ArrayList<>();
                    for (String v : r.values()) {
                        cluster.podsWithLabel(r.key(), v).forEach(out::add);
                    }
                    return out;
                }
                default -> {
                }
            }
        }
        return cluster.allPods();
    }
}
