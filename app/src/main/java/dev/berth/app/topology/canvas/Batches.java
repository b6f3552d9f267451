package dev.berth.app.topology.canvas;

import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes of one look gathered over a frame and drawn together: one colour, width and dash set per
 * look instead of per shape, plain rectangles instead of rounded ones when zoomed out. The arrays
 * are kept from frame to frame, so a frame allocates nothing here once the largest picture has been
 * drawn.
 */
final class Batches {
    /** Rectangles filled in one colour, or stroked in one colour and width. */
    static final class Rects {
        final Color colour;
        final double lineWidth;
        double[] xywh = new double[64];
        int count;

        Rects(Color colour, double lineWidth) {
            this.colour = colour;
            this.lineWidth = lineWidth;
        }

        void add(double x, double y, double w, double h) {
            if (count * 4 + 4 > xywh.length) {
                xywh = java.util.Arrays.copyOf(xywh, xywh.length * 2);
            }
            int i = count * 4;
            xywh[i] = x;
            xywh[i + 1] = y;
            xywh[i + 2] = w;
            xywh[i + 3] = h;
            count++;
        }
    }

    /** Edges of one colour, width and dash: straight lines or the canvas's S-curves. */
    static final class Lines {
        Color colour;
        double lineWidth;
        boolean dashed;
        double[] coords = new double[64];
        int count;

        Lines(Color colour, double lineWidth, boolean dashed) {
            this.colour = colour;
            this.lineWidth = lineWidth;
            this.dashed = dashed;
        }

        void add(double x1, double y1, double x2, double y2) {
            if (count * 4 + 4 > coords.length) {
                coords = java.util.Arrays.copyOf(coords, coords.length * 2);
            }
            int i = count * 4;
            coords[i] = x1;
            coords[i + 1] = y1;
            coords[i + 2] = x2;
            coords[i + 3] = y2;
            count++;
        }
    }

    private final Map<Color, Rects> fills = new HashMap<>();
    private final List<Rects> fillOrder = new ArrayList<>();
    private final Map<Color, Rects> thinStrokes = new HashMap<>();
    private final Map<Color, Rects> thickStrokes = new HashMap<>();
    private final List<Rects> strokeOrder = new ArrayList<>();
    private final Map<Color, Rects> cells = new HashMap<>();
    private final List<Rects> cellOrder = new ArrayList<>();
    private final Map<Object, Lines> lines = new HashMap<>();
    private final List<Lines> lineOrder = new ArrayList<>();

    /** Empties every batch (keeping its arrays). */
    void clear() {
        fillOrder.forEach(r -> r.count = 0);
        strokeOrder.forEach(r -> r.count = 0);
        cellOrder.forEach(r -> r.count = 0);
        lineOrder.forEach(l -> l.count = 0);
    }

    /** Box faces and strips, drawn first. */
    Rects fill(Color c) {
        return of(fills, fillOrder, c, 0);
    }

    /** Box borders of width 1 or 2, drawn over the faces. */
    Rects stroke(Color c, double lineWidth) {
        return lineWidth <= 1 ? of(thinStrokes, strokeOrder, c, 1) : of(thickStrokes, strokeOrder, c, 2);
    }

    /** Pod cells and pod bars, drawn last. */
    Rects cell(Color c) {
        return of(cells, cellOrder, c, 0);
    }

    /** The batch of edges in one look; {@code key} names the look (the same key, the same colour, width and dash). */
    Lines lines(Object key, Color colour, double lineWidth, boolean dashed) {
        Lines l = lines.get(key);
        if (l == null) {
            l = new Lines(colour, lineWidth, dashed);
            lines.put(key, l);
            lineOrder.add(l);
        }
        // the width follows the zoom: the look of a key is set anew each frame
        l.colour = colour;
        l.lineWidth = lineWidth;
        l.dashed = dashed;
        return l;
    }

    private static Rects of(Map<Color, Rects> map, List<Rects> order, Color c, double lineWidth) {
        Rects r = map.get(c);
        if (r == null) {
            r = new Rects(c, lineWidth);
            map.put(c, r);
            order.add(r);
        }
        return r;
    }

    /** Draws the boxes: faces, then borders, then cells. */
    void drawRects(GraphicsContext g) {
        for (Rects r : fillOrder) {
            if (r.count > 0) {
                g.setFill(r.colour);
                fillRects(g, r);
            }
        }
        for (Rects r : strokeOrder) {
            if (r.count > 0) {
                g.setStroke(r.colour);
                g.setLineWidth(r.lineWidth);
                double[] a = r.xywh;
                for (int i = 0; i < r.count * 4; i += 4) {
                    g.strokeRect(a[i], a[i + 1], a[i + 2], a[i + 3]);
                }
            }
        }
        for (Rects r : cellOrder) {
            if (r.count > 0) {
                g.setFill(r.colour);
                fillRects(g, r);
            }
        }
    }

    /**
     * One fillRect per rectangle: the software renderer fills axis-aligned rectangles on a fast path,
     * which a path of many rectangles does not take (measured: a path per colour cost more per frame).
     */
    private static void fillRects(GraphicsContext g, Rects r) {
        double[] a = r.xywh;
        for (int i = 0; i < r.count * 4; i += 4) {
            g.fillRect(a[i], a[i + 1], a[i + 2], a[i + 3]);
        }
    }

    /** Draws the edges, one look at a time: straight lines, or S-curves bending by half their width (at least 20). */
    void drawLines(GraphicsContext g, boolean curves) {
        for (Lines l : lineOrder) {
            if (l.count == 0) {
                continue;
            }
            g.setStroke(l.colour);
            g.setLineWidth(l.lineWidth);
            if (l.dashed) {
                g.setLineDashes(8, 6);
            }
            double[] c = l.coords;
            for (int i = 0; i < l.count * 4; i += 4) {
                double x1 = c[i], y1 = c[i + 1], x2 = c[i + 2], y2 = c[i + 3];
                if (curves) {
                    double bend = Math.max(20, (x2 - x1) / 2);
                    g.beginPath();
                    g.moveTo(x1, y1);
                    g.bezierCurveTo(x1 + bend, y1, x2 - bend, y2, x2, y2);
                    g.stroke();
                } else {
                    g.strokeLine(x1, y1, x2, y2);
                }
            }
            if (l.dashed) {
                g.setLineDashes();
            }
        }
    }
}
