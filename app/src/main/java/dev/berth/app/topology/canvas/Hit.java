package dev.berth.app.topology.canvas;

import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.model.ElementId;

/**
 * What lies under a point of the canvas: an element with its kind, namespace and name, whether it
 * is a draft, and its bounds in world coordinates. For a pod drawn in a grid, {@code container} is
 * the box it sits in and {@code bounds} its cell; otherwise {@code container} is null.
 */
public record Hit(ElementId id, boolean draft, Box bounds, ElementId container) {
    public String kind() {
        return id.kind();
    }

    public String namespace() {
        return id.namespace();
    }

    public String name() {
        return id.name();
    }
}
