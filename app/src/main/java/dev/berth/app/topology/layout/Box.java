package dev.berth.app.topology.layout;

import dev.berth.app.topology.model.ElementId;

/** Where an element sits on the canvas, in world coordinates (before pan and zoom). */
public record Box(ElementId id, double x, double y, double width, double height) {
    public double maxX() {
        return x + width;
    }

    public double maxY() {
        return y + height;
    }

    public double centerX() {
        return x + width / 2;
    }

    public double centerY() {
        return y + height / 2;
    }

    public boolean contains(double px, double py) {
        return px >= x && px <= x + width && py >= y && py <= y + height;
    }

    public boolean intersects(double ox, double oy, double ow, double oh) {
        return x < ox + ow && ox < x + width && y < oy + oh && oy < y + height;
    }

    public boolean overlaps(Box o, double gap) {
        return x < o.x + o.width + gap && o.x < x + width + gap && y < o.y + o.height + gap && o.y < y + height + gap;
    }

    public Box at(double nx, double ny) {
        return new Box(id, nx, ny, width, height);
    }

    public Box withSize(double w, double h) {
        return new Box(id, x, y, w, h);
    }
}
