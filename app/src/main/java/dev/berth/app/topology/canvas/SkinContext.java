package dev.berth.app.topology.canvas;

import dev.berth.app.icons.Icons;
import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.Health;
import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** What a skin draws with: the layer's graphics, the viewport, colours, and the live model. */
public final class SkinContext {
    final GraphicsContext g;
    final Viewport v;
    final TopologyModel model;
    final Function<ElementId, List<ElementId>> podsIn;
    final ToDoubleFunction<ElementId> flash;
    ElementId selected;
    boolean dark;

    SkinContext(GraphicsContext g, Viewport v, TopologyModel model, Function<ElementId, List<ElementId>> podsIn,
                ToDoubleFunction<ElementId> flash) {
        this.g = g;
        this.v = v;
        this.model = model;
        this.podsIn = podsIn;
        this.flash = flash;
    }

    public GraphicsContext g() {
        return g;
    }

    public Viewport viewport() {
        return v;
    }

    public TopologyModel model() {
        return model;
    }

    /** The pods drawn inside a container box (by owner in the workload view, by node in the node view). */
    public List<ElementId> podsIn(ElementId container) {
        return podsIn.apply(container);
    }

    /** 1 just after the element changed, fading to 0. */
    public double flash(ElementId id) {
        return flash.applyAsDouble(id);
    }

    public boolean selected(ElementId id) {
        return id.equals(selected);
    }

    public boolean dark() {
        return dark;
    }

    /** Whether text is legible at this zoom. */
    public boolean detailed() {
        return v.scale() >= 0.6;
    }

    public Color surface() {
        return dark ? DARK_SURFACE : Color.WHITE;
    }

    public Color ink() {
        return dark ? DARK_INK : LIGHT_INK;
    }

    public Color muted() {
        return dark ? DARK_MUTED : LIGHT_MUTED;
    }

    public Color border() {
        return dark ? DARK_BORDER : LIGHT_BORDER;
    }

    private static final Color[] HEALTH = {Color.web("#2da44e"), Color.web("#0969da"), Color.web("#d4a72c"),
            Color.web("#cf222e"), Color.web("#8c959f")};
    private static final Color DARK_SURFACE = Color.web("#22272e");
    private static final Color DARK_INK = Color.web("#e6edf3");
    private static final Color LIGHT_INK = Color.web("#1f2328");
    private static final Color DARK_MUTED = Color.web("#8b949e");
    private static final Color LIGHT_MUTED = Color.web("#656d76");
    private static final Color DARK_BORDER = Color.web("#444c56");
    private static final Color LIGHT_BORDER = Color.web("#d0d7de");

    public static Color health(Health h) {
        return HEALTH[h.ordinal()];
    }

    /**
     * The icon of a kind for drawing at {@code size} screen pixels: rendered once at a few fixed
     * sizes and scaled by drawImage, so zooming never renders SVGs again.
     */
    public javafx.scene.image.Image icon(String kind, double size) {
        return Icons.forKind(kind, size <= 20 ? 20 : size <= 40 ? 40 : 64, ink());
    }

    private final java.util.Map<Long, javafx.scene.text.Font> fonts = new java.util.HashMap<>();

    /** A font of about {@code size} points (in half-point steps, cached: zooming would otherwise make a font per frame). */
    public javafx.scene.text.Font font(boolean bold, double size) {
        long key = Math.round(Math.max(4, size) * 2) * 2 + (bold ? 1 : 0);
        return fonts.computeIfAbsent(key, k -> javafx.scene.text.Font.font("System",
                bold ? javafx.scene.text.FontWeight.BOLD : javafx.scene.text.FontWeight.NORMAL, (k / 2) / 2.0));
    }

    public double sx(double worldX) {
        return v.toScreenX(worldX);
    }

    public double sy(double worldY) {
        return v.toScreenY(worldY);
    }

    public double s(double world) {
        return world * v.scale();
    }

    TopologyElement element(ElementId id) {
        return model.get(id);
    }

    /** The screen rectangle of a box: x, y, w, h. */
    double[] screen(Box b) {
        return new double[] {sx(b.x()), sy(b.y()), s(b.width()), s(b.height())};
    }
}
