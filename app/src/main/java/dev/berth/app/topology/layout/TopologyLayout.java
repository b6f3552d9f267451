package dev.berth.app.topology.layout;

import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import org.eclipse.elk.alg.layered.options.CrossingMinimizationStrategy;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.LayeringStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places the boxes of the topology with Eclipse ELK's layered algorithm, left to right: Ingress →
 * Service → workload → ReplicaSet/Job → ConfigMap/Secret/PVC. The column of each box is fixed by its
 * kind (interactive layering on x), ELK orders the boxes in each column to cut crossings. Pods are
 * not laid out: they are cells inside their container's box. All namespaces: one layout per
 * namespace, stacked.
 *
 * <p>{@link #place} adds new boxes to an existing picture without moving any box that is there.
 * Pure computation with no JavaFX: it runs off the FX thread.
 */
public final class TopologyLayout {
    public static final double COLUMN_GAP = 90;
    public static final double ROW_GAP = 18;
    public static final double GROUP_GAP = 60;
    private static final double COLUMN = Sizes.WIDTH + COLUMN_GAP;

    /** What to lay out: an element and the size its box needs. */
    public record Item(TopologyElement element, double width, double height) {
        public ElementId id() {
            return element.id();
        }
    }

    private TopologyLayout() {}

    /** Lays out every item from scratch; {@code pinned} positions are kept as they are. */
    public static Map<ElementId, Box> layout(Collection<Item> items, Collection<TopologyEdge> edges, Map<ElementId, Box> pinned) {
        Map<String, List<Item>> byNamespace = new TreeMap<>();
        for (Item i : items) {
            byNamespace.computeIfAbsent(i.id().namespace(), k -> new ArrayList<>()).add(i);
        }
        Map<ElementId, Box> out = new LinkedHashMap<>();
        double top = 0;
        for (List<Item> group : byNamespace.values()) {
            Map<ElementId, Box> boxes = elk(group, edges);
            double minY = boxes.values().stream().mapToDouble(Box::y).min().orElse(0);
            double maxY = top;
            for (Box b : boxes.values()) {
                Box placed = b.at(b.x(), b.y() - minY + top);
                out.put(b.id(), placed);
                maxY = Math.max(maxY, placed.maxY());
            }
            top = maxY + GROUP_GAP;
        }
        for (Map.Entry<ElementId, Box> p : pinned.entrySet()) {
            Box b = out.get(p.getKey());
            if (b != null) {
                out.put(p.getKey(), b.at(p.getValue().x(), p.getValue().y()));
            }
        }
        return out;
    }

    /**
     * Places {@code added} beside {@code existing}, which stay where they are. A new box joined to a
     * box already there goes into its column near that box, on the first free spot; new boxes with no
     * such tie are laid out together by ELK and put below everything.
     */
    public static Map<ElementId, Box> place(Map<ElementId, Box> existing, Collection<Item> added, Collection<TopologyEdge> edges) {
        if (existing.isEmpty()) {
            return layout(added, edges, Map.of());
        }
        Map<ElementId, Item> byId = new LinkedHashMap<>();
        for (Item i : added) {
            if (!existing.containsKey(i.id())) {
                byId.put(i.id(), i);
            }
        }
        Map<ElementId, List<ElementId>> neighbours = new HashMap<>();
        for (TopologyEdge e : edges) {
            neighbours.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e.to());
            neighbours.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e.from());
        }
        List<Box> occupied = new ArrayList<>(existing.values());
        Map<ElementId, Box> out = new LinkedHashMap<>();
        double left = existing.values().stream().mapToDouble(Box::x).min().orElse(0);
        Set<ElementId> seen = new HashSet<>();
        List<Item> detached = new ArrayList<>();
        for (Item start : byId.values()) {
            if (!seen.add(start.id())) {
                continue;
            }
            // the connected component of new boxes around start
            List<Item> component = new ArrayList<>();
            ArrayDeque<Item> queue = new ArrayDeque<>(List.of(start));
            boolean anchored = false;
            while (!queue.isEmpty()) {
                Item i = queue.poll();
                component.add(i);
                for (ElementId n : neighbours.getOrDefault(i.id(), List.of())) {
                    if (existing.containsKey(n)) {
                        anchored = true;
                    } else if (byId.containsKey(n) && seen.add(n)) {
                        queue.add(byId.get(n));
                    }
                }
            }
            if (!anchored) {
                detached.addAll(component);
                continue;
            }
            component.sort(java.util.Comparator.comparingInt(i -> Sizes.rank(i.element())));
            for (Item i : component) {
                Box anchor = null;
                for (ElementId n : neighbours.getOrDefault(i.id(), List.of())) {
                    Box b = existing.containsKey(n) ? existing.get(n) : out.get(n);
                    if (b != null && (anchor == null || b.y() < anchor.y())) {
                        anchor = b;
                    }
                }
                double x = columnX(existing, i.element(), left);
                Box b = free(new Box(i.id(), x, anchor == null ? 0 : anchor.y(), i.width(), i.height()), occupied);
                occupied.add(b);
                out.put(i.id(), b);
            }
        }
        if (!detached.isEmpty()) {
            double bottom = occupied.stream().mapToDouble(Box::maxY).max().orElse(-GROUP_GAP) + GROUP_GAP;
            Map<ElementId, Box> boxes = elk(detached, edges);
            double minX = boxes.values().stream().mapToDouble(Box::x).min().orElse(0);
            double minY = boxes.values().stream().mapToDouble(Box::y).min().orElse(0);
            double shiftX = existing.isEmpty() ? 0 : left - Math.min(minX, 0);
            for (Box b : boxes.values()) {
                out.put(b.id(), b.at(b.x() + shiftX, b.y() - minY + bottom));
            }
        }
        return out;
    }

    /** The x of a kind's column in the existing picture (where boxes of that rank already are), else its nominal x. */
    private static double columnX(Map<ElementId, Box> existing, TopologyElement e, double left) {
        int rank = Sizes.rank(e);
        double best = Double.NaN;
        for (Box b : existing.values()) {
            if (kindRank(b.id().kind()) == rank && b.id().namespace().equals(e.namespace()) && !(b.x() >= best)) {
                best = b.x();
            }
        }
        return Double.isNaN(best) ? left + rank * COLUMN : best;
    }

    /** The column of a kind as most of its boxes have it (ReplicaSets and Jobs usually have an owner). */
    private static int kindRank(String kind) {
        return switch (kind) {
            case "Ingress" -> 0;
            case "Service" -> 1;
            case "ReplicaSet", "Job" -> 3;
            case "ConfigMap", "Secret", "PersistentVolumeClaim" -> 4;
            default -> 2;
        };
    }

    /** The first spot at or below {@code b} that overlaps no box. */
    static Box free(Box b, List<Box> occupied) {
        Box cur = b;
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Box o : occupied) {
                if (cur.overlaps(o, ROW_GAP / 2)) {
                    cur = cur.at(cur.x(), o.maxY() + ROW_GAP);
                    moved = true;
                }
            }
        }
        return cur;
    }

    /** One ELK layered run over {@code items}; edges with an end outside them are left out. */
    static Map<ElementId, Box> elk(List<Item> items, Collection<TopologyEdge> edges) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
        root.setProperty(LayeredOptions.LAYERING_STRATEGY, LayeringStrategy.INTERACTIVE);
        root.setProperty(LayeredOptions.CROSSING_MINIMIZATION_STRATEGY, CrossingMinimizationStrategy.LAYER_SWEEP);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, ROW_GAP);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, COLUMN_GAP);
        root.setProperty(LayeredOptions.SPACING_COMPONENT_COMPONENT, 40.0);
        root.setProperty(CoreOptions.SEPARATE_CONNECTED_COMPONENTS, true);
        Map<ElementId, ElkNode> nodes = new HashMap<>();
        for (Item i : items) {
            ElkNode n = ElkGraphUtil.createNode(root);
            n.setDimensions(i.width(), i.height());
            // interactive layering puts each node in the layer of its x: the kind's column
            n.setLocation(Sizes.rank(i.element()) * 10_000.0, 0);
            nodes.put(i.id(), n);
        }
        for (TopologyEdge e : edges) {
            ElkNode a = nodes.get(e.from());
            ElkNode b = nodes.get(e.to());
            if (a != null && b != null && a != b) {
                ElkGraphUtil.createSimpleEdge(a, b);
            }
        }
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        Map<ElementId, Box> out = new LinkedHashMap<>();
        for (Item i : items) {
            ElkNode n = nodes.get(i.id());
            out.put(i.id(), new Box(i.id(), n.getX(), n.getY(), n.getWidth(), n.getHeight()));
        }
        return out;
    }
}
