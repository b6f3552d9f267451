package dev.berth.app.topology.layout;

import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;

/**
 * Box sizes: one size for plain elements; containers (ReplicaSets, Jobs, StatefulSets, DaemonSets,
 * Nodes in the node view) sized from their pod count, with a spare row so that scaling up a little
 * does not grow the box.
 */
public final class Sizes {
    public static final double WIDTH = 190;
    public static final double HEIGHT = 58;
    public static final double HEADER = 46;
    public static final double CELL = 14;
    public static final double PAD = 8;
    public static final int MIN_COLUMNS = 12;

    private Sizes() {}

    public static boolean isContainer(TopologyElement e) {
        return TopologyModel.CONTAINERS.contains(e.kind()) || "Node".equals(e.kind());
    }

    /** Columns of the pod grid of a container holding {@code pods}. */
    public static int columns(int pods) {
        return Math.max(MIN_COLUMNS, (int) Math.ceil(Math.sqrt(pods * 2.0)));
    }

    /** Rows the box has room for: the pods (or the desired count, if more), plus one spare row. */
    public static int rows(int pods, int desired) {
        int n = Math.max(Math.max(pods, desired), 1);
        return (n + columns(n) - 1) / columns(n) + 1;
    }

    /** Whether a box of this height still holds {@code pods} pods. */
    public static boolean fits(double height, int pods) {
        int cols = columns(pods);
        int rowsNeeded = (Math.max(pods, 1) + cols - 1) / cols;
        return HEADER + rowsNeeded * CELL + PAD <= height + 0.5;
    }

    public static double width(TopologyElement e, int pods) {
        return isContainer(e) ? Math.max(WIDTH, PAD * 2 + columns(Math.max(pods, desired(e))) * CELL) : WIDTH;
    }

    public static double height(TopologyElement e, int pods) {
        if (!isContainer(e)) {
            return HEIGHT;
        }
        return HEADER + rows(pods, desired(e)) * CELL + PAD;
    }

    private static int desired(TopologyElement e) {
        return e.rollout() == null ? 0 : Math.max(0, e.rollout().desired());
    }

    /** Column (layer) of a kind, left to right: Ingress, Service, workload, ReplicaSet or Job, config and storage. */
    public static int rank(TopologyElement e) {
        return switch (e.kind()) {
            case "Ingress" -> 0;
            case "Service" -> 1;
            case "ReplicaSet", "Job" -> e.object() != null && hasController(e) ? 3 : 2;
            case "ConfigMap", "Secret", "PersistentVolumeClaim" -> 4;
            default -> 2;
        };
    }

    private static boolean hasController(TopologyElement e) {
        var refs = e.object().getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
    }
}
