package dev.berth.app.topology.model;

/**
 * Replica counts of a workload or ReplicaSet, and for a ReplicaSet whether it is the newest of its
 * Deployment (filling) or an older one (draining).
 */
public record Rollout(int desired, int current, int ready, int updated, Role role) {
    public enum Role { NEW, OLD, NONE }

    public Rollout withRole(Role r) {
        return new Rollout(desired, current, ready, updated, r);
    }

    public boolean complete() {
        return ready >= desired && current == desired && (role != Role.NONE || updated >= desired);
    }
}
