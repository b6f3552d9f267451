package dev.berth.app.topology.canvas;

import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.layout.Sizes;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.Health;
import dev.berth.app.topology.model.Rollout;
import dev.berth.app.topology.model.TopologyElement;
import javafx.geometry.VPos;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The skin factory: one skin per kind, and a plain one for kinds without their own (drafts of other kinds). */
public final class Skins {
    private final Map<String, Skin> byKind = new HashMap<>();
    private final Skin fallback = new BoxSkin("#8c959f");
    /** The skins this factory made itself: the canvas may draw their compact form in batches. */
    private final java.util.Set<Skin> builtIn = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    public Skins() {
        byKind.put("Ingress", new IngressSkin());
        byKind.put("Service", new ServiceSkin());
        byKind.put("Deployment", new DeploymentSkin());
        byKind.put("StatefulSet", new StatefulSetSkin());
        byKind.put("DaemonSet", new DaemonSetSkin());
        byKind.put("CronJob", new CronJobSkin());
        byKind.put("Job", new JobSkin());
        byKind.put("ReplicaSet", new ReplicaSetSkin());
        byKind.put("Pod", new PodSkin());
        byKind.put("ConfigMap", new ConfigMapSkin());
        byKind.put("Secret", new SecretSkin());
        byKind.put("PersistentVolumeClaim", new PvcSkin());
        byKind.put("Node", new NodeSkin());
        builtIn.addAll(byKind.values());
        builtIn.add(fallback);
    }

    /**
     * The accent colour of a kind when it is drawn by one of the skins made here (whose compact form
     * the canvas knows: a box, its accent strip, its health border, its pods as cells), else null
     * (a skin registered from outside draws itself at every zoom).
     */
    Color compactAccent(String kind) {
        Skin s = forKind(kind);
        return builtIn.contains(s) && s instanceof BoxSkin b ? b.accent : null;
    }

    public Skin forKind(String kind) {
        return byKind.getOrDefault(kind, fallback);
    }

    /** Replaces the skin of a kind (e.g. the compose tools' own look for a kind). */
    public void register(String kind, Skin skin) {
        byKind.put(kind, skin);
    }

    /** A rounded box with a coloured strip for the kind, the kind's icon, name and summary, bordered in its health. */
    public static class BoxSkin implements Skin {
        private final Color accent;

        BoxSkin(String accent) {
            this.accent = Color.web(accent);
        }

        @Override
        public void draw(SkinContext c, TopologyElement e, Box b) {
            var g = c.g();
            double[] r = c.screen(b);
            double arc = c.s(10);
            g.setFill(c.surface());
            g.fillRoundRect(r[0], r[1], r[2], r[3], arc, arc);
            g.setFill(accent);
            g.fillRect(r[0], r[1] + arc / 2, Math.max(1, c.s(4)), Math.max(0, r[3] - arc));
            boolean sel = c.selected(e.id());
            g.setStroke(e.draft() ? c.muted() : SkinContext.health(e.health()));
            g.setLineWidth(sel ? 3 : e.health() == Health.OK ? 1 : 2);
            if (e.draft()) {
                g.setLineDashes(6, 4);
            }
            g.strokeRoundRect(r[0], r[1], r[2], r[3], arc, arc);
            g.setLineDashes();
            if (sel) {
                g.setStroke(Color.web("#0969da", 0.45));
                g.setLineWidth(6);
                g.strokeRoundRect(r[0] - 4, r[1] - 4, r[2] + 8, r[3] + 8, arc + 4, arc + 4);
            }
            if (c.detailed()) {
                double icon = c.s(20);
                g.drawImage(c.icon(e.kind(), icon), r[0] + c.s(10), r[1] + c.s(8), icon, icon);
                g.setFill(c.ink());
                g.setFont(c.font(true, Math.max(6, c.s(12))));
                g.setTextAlign(TextAlignment.LEFT);
                g.setTextBaseline(VPos.TOP);
                double tx = r[0] + c.s(36);
                double maxW = r[2] - c.s(42);
                g.fillText(e.name(), tx, r[1] + c.s(7), maxW);
                g.setFill(c.muted());
                g.setFont(c.font(false, Math.max(5, c.s(10.5))));
                g.fillText((e.draft() ? "draft " : "") + e.kind() + (e.summary().isEmpty() ? "" : " · " + e.summary()),
                        tx, r[1] + c.s(23), maxW);
            }
            extra(c, e, b, r);
        }

        /** Kind-specific drawing inside the box. */
        void extra(SkinContext c, TopologyElement e, Box b, double[] r) {}

        /** A bar of ready (green) over desired along the box's bottom edge; old ReplicaSets draw it hatched grey. */
        static void progress(SkinContext c, double[] r, double y, int done, int of, Color fill) {
            if (of <= 0) {
                return;
            }
            var g = c.g();
            double x = r[0] + c.s(36);
            double w = r[2] - c.s(46);
            double h = Math.max(1, c.s(4));
            g.setFill(c.border());
            g.fillRect(x, y, w, h);
            g.setFill(fill);
            g.fillRect(x, y, w * Math.min(1, (double) done / of), h);
        }
    }

    static class WorkloadSkin extends BoxSkin {
        WorkloadSkin(String accent) {
            super(accent);
        }

        @Override
        void extra(SkinContext c, TopologyElement e, Box b, double[] r) {
            Rollout ro = e.rollout();
            if (ro != null && c.detailed()) {
                Color fill = ro.role() == Rollout.Role.OLD ? c.muted() : SkinContext.health(Health.OK);
                progress(c, r, r[1] + c.s(38), ro.ready(), Math.max(ro.desired(), ro.current()), fill);
            }
            if (Sizes.isContainer(e)) {
                grid(c, e, b);
            }
        }
    }

    /** Draws a container's pods as a grid of cells (each in the pod's skin), or as one summary bar when too small to see. */
    static void grid(SkinContext c, TopologyElement container, Box b) {
        List<ElementId> pods = c.podsIn(container.id());
        if (pods.isEmpty()) {
            return;
        }
        int cols = Sizes.columns(pods.size());
        double cell = c.s(Sizes.CELL);
        double x0 = c.sx(b.x() + Sizes.PAD);
        double y0 = c.sy(b.y() + Sizes.HEADER);
        var g = c.g();
        if (cell < 2.5) {
            // too small for cells: one bar per health, in proportion
            int[] counts = new int[Health.values().length];
            for (ElementId p : pods) {
                TopologyElement pe = c.element(p);
                counts[(pe == null ? Health.UNKNOWN : pe.health()).ordinal()]++;
            }
            double w = c.s(b.width() - 2 * Sizes.PAD);
            double x = x0;
            for (Health h : Health.values()) {
                double part = w * counts[h.ordinal()] / pods.size();
                g.setFill(SkinContext.health(h));
                g.fillRect(x, y0, part, Math.max(1, cell));
                x += part;
            }
            return;
        }
        double vw = g.getCanvas().getWidth();
        double vh = g.getCanvas().getHeight();
        for (int i = 0; i < pods.size(); i++) {
            double x = x0 + (i % cols) * cell;
            double y = y0 + (i / cols) * cell;
            if (x > vw || y > vh || x + cell < 0 || y + cell < 0) {
                continue;
            }
            TopologyElement pe = c.element(pods.get(i));
            if (pe != null) {
                PodSkin.cell(c, pe, x, y, cell);
            }
        }
    }

    /** Where pod {@code index} of a container sits, in world coordinates. */
    public static Box cellOf(Box container, ElementId pod, int index, int count) {
        int cols = Sizes.columns(count);
        return new Box(pod, container.x() + Sizes.PAD + (index % cols) * Sizes.CELL,
                container.y() + Sizes.HEADER + (index / cols) * Sizes.CELL, Sizes.CELL, Sizes.CELL);
    }

    static final class IngressSkin extends BoxSkin {
        IngressSkin() {
            super("#8250df");
        }
    }

    static final class ServiceSkin extends BoxSkin {
        ServiceSkin() {
            super("#0969da");
        }

        @Override
        void extra(SkinContext c, TopologyElement e, Box b, double[] r) {
            long ready = c.model().edgesOf(e.id()).stream()
                    .filter(x -> x.type() == dev.berth.app.topology.model.EdgeType.ENDPOINT && x.from().equals(e.id()) && x.ready()).count();
            long all = c.model().edgesOf(e.id()).stream()
                    .filter(x -> x.type() == dev.berth.app.topology.model.EdgeType.ENDPOINT && x.from().equals(e.id())).count();
            if (c.detailed()) {
                progress(c, r, r[1] + c.s(40), (int) ready, (int) all, SkinContext.health(Health.OK));
            }
        }
    }

    static final class DeploymentSkin extends WorkloadSkin {
        DeploymentSkin() {
            super("#1a7f37");
        }
    }

    static final class StatefulSetSkin extends WorkloadSkin {
        StatefulSetSkin() {
            super("#116329");
        }
    }

    static final class DaemonSetSkin extends WorkloadSkin {
        DaemonSetSkin() {
            super("#4d2d00");
        }
    }

    static final class CronJobSkin extends WorkloadSkin {
        CronJobSkin() {
            super("#9a6700");
        }
    }

    static final class JobSkin extends WorkloadSkin {
        JobSkin() {
            super("#bf8700");
        }
    }

    static final class ReplicaSetSkin extends WorkloadSkin {
        ReplicaSetSkin() {
            super("#2da44e");
        }

        @Override
        public void draw(SkinContext c, TopologyElement e, Box b) {
            boolean old = e.rollout() != null && e.rollout().role() == Rollout.Role.OLD;
            if (old) {
                c.g().setGlobalAlpha(e.rollout().current() > 0 ? 0.8 : 0.5);
            }
            super.draw(c, e, b);
            c.g().setGlobalAlpha(1);
        }
    }

    static final class NodeSkin extends WorkloadSkin {
        NodeSkin() {
            super("#57606a");
        }
    }

    static final class ConfigMapSkin extends BoxSkin {
        ConfigMapSkin() {
            super("#bc4c00");
        }
    }

    static final class SecretSkin extends BoxSkin {
        SecretSkin() {
            super("#a40e26");
        }
    }

    static final class PvcSkin extends BoxSkin {
        PvcSkin() {
            super("#6639ba");
        }
    }

    /** A pod on its own is a box; inside a container it is one cell: phase colour, a ring when not ready, a dot for restarts. */
    static final class PodSkin extends BoxSkin {
        PodSkin() {
            super("#0550ae");
        }

        static void cell(SkinContext c, TopologyElement p, double x, double y, double size) {
            var g = c.g();
            double inset = Math.max(0.5, size * 0.1);
            double d = size - 2 * inset;
            g.setFill(SkinContext.health(p.health()));
            if (size < 8) {
                // too small to tell a ring from a dot: a square costs the least to rasterize
                g.fillRect(x + inset, y + inset, d, d);
                return;
            }
            if (p.pod() != null && !p.pod().ready() && p.health() != Health.FAILED) {
                g.setStroke(SkinContext.health(p.health()));
                g.setLineWidth(Math.max(1, size * 0.15));
                g.strokeOval(x + inset, y + inset, d, d);
            } else {
                g.fillOval(x + inset, y + inset, d, d);
            }
            if (p.pod() != null && p.pod().restarts() > 0 && size >= 6) {
                g.setFill(SkinContext.health(Health.WARNING));
                g.fillOval(x + size * 0.6, y, size * 0.4, size * 0.4);
            }
            if (p.draft()) {
                g.setStroke(c.muted());
                g.setLineDashes(2, 2);
                g.setLineWidth(1);
                g.strokeOval(x + inset, y + inset, d, d);
                g.setLineDashes();
            }
            if (c.selected(p.id())) {
                g.setStroke(Color.web("#0969da"));
                g.setLineWidth(2);
                g.strokeRect(x, y, size, size);
            }
        }
    }
}
