package dev.berth.core.controller.replicaset;

import java.util.List;

/** The status a ReplicaSet or ReplicationController reports, independent of the two kinds' types. */
public record ReplicaStatus(int replicas, int fullyLabeledReplicas, int readyReplicas, int availableReplicas,
                            long observedGeneration, List<Condition> conditions) {
    public ReplicaStatus {
        conditions = List.copyOf(conditions);
    }

    /** A condition (only {@code ReplicaFailure} exists for these kinds). */
    public record Condition(String type, String status, String reason, String message, String lastTransitionTime) {
    }

    public Condition condition(String type) {
        return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElse(null);
    }
}
