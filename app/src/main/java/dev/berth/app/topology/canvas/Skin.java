package dev.berth.app.topology.canvas;

import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.model.TopologyElement;

/**
 * Draws one kind of element on the nodes layer. Skins draw in screen coordinates through
 * {@link SkinContext}, read the element only, and keep no state: the canvas calls them for the
 * boxes that are visible, every frame that needs it.
 */
public interface Skin {
    void draw(SkinContext c, TopologyElement e, Box b);
}
