package dev.berth.app.topology.model;

import java.util.Objects;

/**
 * A directed edge of the topology. {@code ready} is false only for ENDPOINT edges whose endpoint is
 * not ready and SELECTS edges to a workload with endpoints not ready; every other edge is ready.
 */
public record TopologyEdge(ElementId from, ElementId to, EdgeType type, boolean ready) {
    public TopologyEdge {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(type, "type");
    }

    public static TopologyEdge of(ElementId from, ElementId to, EdgeType type) {
        return new TopologyEdge(from, to, type, true);
    }

    /** The edge without its style: two edges with the same key are the same line on the canvas. */
    public Key key() {
        return new Key(from, to, type);
    }

    public record Key(ElementId from, ElementId to, EdgeType type) {}
}
