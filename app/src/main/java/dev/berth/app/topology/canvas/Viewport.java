package dev.berth.app.topology.canvas;

/**
 * Pan and zoom: screen = world * scale + translate. Pure arithmetic, no JavaFX, so that it can be
 * tested alone.
 */
public final class Viewport {
    public static final double MIN_SCALE = 0.02;
    public static final double MAX_SCALE = 4;

    private double scale = 1;
    private double tx;
    private double ty;

    public double scale() {
        return scale;
    }

    public double tx() {
        return tx;
    }

    public double ty() {
        return ty;
    }

    public double toScreenX(double worldX) {
        return worldX * scale + tx;
    }

    public double toScreenY(double worldY) {
        return worldY * scale + ty;
    }

    public double toWorldX(double screenX) {
        return (screenX - tx) / scale;
    }

    public double toWorldY(double screenY) {
        return (screenY - ty) / scale;
    }

    public void panBy(double dx, double dy) {
        tx += dx;
        ty += dy;
    }

    /** Zooms by {@code factor} keeping the world point under ({@code sx}, {@code sy}) where it is. */
    public void zoomAt(double factor, double sx, double sy) {
        double wx = toWorldX(sx);
        double wy = toWorldY(sy);
        scale = Math.clamp(scale * factor, MIN_SCALE, MAX_SCALE);
        tx = sx - wx * scale;
        ty = sy - wy * scale;
    }

    /** Shows the world rectangle whole and centred in a view of {@code w} × {@code h}, with a margin. */
    public void fit(double minX, double minY, double maxX, double maxY, double w, double h) {
        double margin = 24;
        double ww = Math.max(maxX - minX, 1);
        double wh = Math.max(maxY - minY, 1);
        scale = Math.clamp(Math.min((w - 2 * margin) / ww, (h - 2 * margin) / wh), MIN_SCALE, 1.5);
        tx = (w - ww * scale) / 2 - minX * scale;
        ty = (h - wh * scale) / 2 - minY * scale;
    }

    /** Puts the world point in the middle of a view of {@code w} × {@code h}. */
    public void centerOn(double wx, double wy, double w, double h) {
        tx = w / 2 - wx * scale;
        ty = h / 2 - wy * scale;
    }

    public void set(double scale, double tx, double ty) {
        this.scale = Math.clamp(scale, MIN_SCALE, MAX_SCALE);
        this.tx = tx;
        this.ty = ty;
    }
}
