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
    /** Space between two connected components of one namespace. */
    static final double COMPONENT_GAP = 40;
    /** Width over height the rows of components aim at (ELK's default aspect ratio). */
    static final double ASPECT_RATIO = 1.6;
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
        return layout(items, edges, pinned, true);
    }

    /**
     * {@link #layout(Collection, Collection, Map)}; {@code reuseShapes} false lays out every connected
     * component on its own even when another one has the same shape (the benchmark measures both).
     */
    public static Map<ElementId, Box> layout(Collection<Item> items, Collection<TopologyEdge> edges, Map<ElementId, Box> pinned,
                                             boolean reuseShapes) {
        Map<String, List<Item>> byNamespace = new TreeMap<>();
        for (Item i : items) {
            byNamespace.computeIfAbsent(i.id().namespace(), k -> new ArrayList<>()).add(i);
        }
        Map<ElementId, Box> out = new LinkedHashMap<>();
        double top = 0;
        for (List<Item> group : byNamespace.values()) {
            Map<ElementId, Box> boxes = elk(group, edges, reuseShapes);
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

    /**
     * Lays out {@code items} with ELK, one connected component at a time, and packs the components in
     * rows (what ELK's own component handling does, see {@link #pack}); edges with an end outside the
     * items are left out.
     *
     * <p>Why not one ELK run over everything: a namespace with 2,000 apps is 2,000 small components,
     * and ELK lays them out one after the other, each paying the full cost of its ~40 processors.
     * Here components of the same shape (the same kinds in the same columns, of the same sizes, joined
     * the same way) are laid out once, since ELK places identical input identically, and the distinct
     * shapes are laid out in parallel.
     */
    static Map<ElementId, Box> elk(List<Item> items, Collection<TopologyEdge> edges) {
        return elk(items, edges, true);
    }

    /** {@link #elk(List, Collection)}, optionally without reusing the layout of components of one shape (to measure it). */
    static Map<ElementId, Box> elk(List<Item> items, Collection<TopologyEdge> edges, boolean reuseShapes) {
        Map<ElementId, Integer> index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            index.putIfAbsent(items.get(i).id(), i);
        }
        // the edges inside items, as index pairs, in their given order
        List<int[]> links = new ArrayList<>();
        int[] parent = new int[items.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (TopologyEdge e : edges) {
            Integer a = index.get(e.from());
            Integer b = index.get(e.to());
            if (a != null && b != null && !a.equals(b)) {
                links.add(new int[] {a, b});
                parent[root(parent, a)] = root(parent, b);
            }
        }
        // components in the order of their first item
        Map<Integer, Component> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (index.get(items.get(i).id()) != i) {
                continue;   // a duplicate id: ELK would get one node for it
            }
            byRoot.computeIfAbsent(root(parent, i), r -> new Component()).add(i);
        }
        for (int[] l : links) {
            byRoot.get(root(parent, l[0])).links.add(l);
        }
        List<Component> components = new ArrayList<>(byRoot.values());
        Map<String, List<Component>> byShape = new LinkedHashMap<>();
        for (Component c : components) {
            String key = reuseShapes ? c.shape(items) : String.valueOf(byShape.size());
            byShape.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
        }
        List<List<Component>> shapes = new ArrayList<>(byShape.values());
        // ELK sets up its registry of algorithms on first use: one run goes first, alone, so that the
        // parallel ones find it set up
        double[][] first = shapes.isEmpty() ? null : elkComponent(items, shapes.get(0).get(0));
        List<double[][]> laidOut = shapes.size() <= 1 ? new ArrayList<>() : shapes.subList(1, shapes.size()).parallelStream()
                .map(group -> elkComponent(items, group.get(0))).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        if (first != null) {
            laidOut.addFirst(first);
        }
        for (int s = 0; s < shapes.size(); s++) {
            for (Component c : shapes.get(s)) {
                c.relative = laidOut.get(s);
            }
        }
        return pack(items, components);
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** One connected component: its items (indexes), its edges, and once laid out, its boxes relative to its corner. */
    private static final class Component {
        final List<Integer> members = new ArrayList<>();
        final List<int[]> links = new ArrayList<>();
        /** Per member: x, y relative to the component's top-left corner; the last entry: width, height. */
        double[][] relative;

        void add(int i) {
            members.add(i);
        }

        /** What ELK sees of the component: per member its column and size, and the edges between members. */
        String shape(List<Item> items) {
            Map<Integer, Integer> local = new HashMap<>();
            StringBuilder key = new StringBuilder();
            for (int m : members) {
                local.put(m, local.size());
                Item i = items.get(m);
                key.append(Sizes.rank(i.element())).append(',').append(i.width()).append(',').append(i.height()).append(';');
            }
            key.append('|');
            for (int[] l : links) {
                key.append(local.get(l[0])).append('>').append(local.get(l[1])).append(';');
            }
            return key.toString();
        }
    }

    /** ELK layered over one component; positions relative to the component's top-left corner, then its size. */
    private static double[][] elkComponent(List<Item> items, Component c) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
        root.setProperty(LayeredOptions.LAYERING_STRATEGY, LayeringStrategy.INTERACTIVE);
        root.setProperty(LayeredOptions.CROSSING_MINIMIZATION_STRATEGY, CrossingMinimizationStrategy.LAYER_SWEEP);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, ROW_GAP);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, COLUMN_GAP);
        root.setProperty(CoreOptions.SEPARATE_CONNECTED_COMPONENTS, false);
        Map<Integer, ElkNode> nodes = new HashMap<>();
        for (int m : c.members) {
            Item i = items.get(m);
            ElkNode n = ElkGraphUtil.createNode(root);
            n.setDimensions(i.width(), i.height());
            // interactive layering puts each node in the layer of its x: the kind's column
            n.setLocation(Sizes.rank(i.element()) * 10_000.0, 0);
            nodes.put(m, n);
        }
        for (int[] l : c.links) {
            ElkGraphUtil.createSimpleEdge(nodes.get(l[0]), nodes.get(l[1]));
        }
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (ElkNode n : nodes.values()) {
            minX = Math.min(minX, n.getX());
            minY = Math.min(minY, n.getY());
            maxX = Math.max(maxX, n.getX() + n.getWidth());
            maxY = Math.max(maxY, n.getY() + n.getHeight());
        }
        double[][] out = new double[c.members.size() + 1][];
        for (int k = 0; k < c.members.size(); k++) {
            ElkNode n = nodes.get(c.members.get(k));
            out[k] = new double[] {n.getX() - minX, n.getY() - minY};
        }
        out[c.members.size()] = new double[] {maxX - minX, maxY - minY};
        return out;
    }

    /**
     * Packs laid-out components in rows, as ELK does with separate components: the biggest first, rows
     * as wide as the square root of the total area times {@link #ASPECT_RATIO} (or the widest
     * component), {@link #COMPONENT_GAP} apart.
     */
    private static Map<ElementId, Box> pack(List<Item> items, List<Component> components) {
        List<Component> order = new ArrayList<>(components);
        order.sort(java.util.Comparator.comparingDouble((Component c) -> -c.relative[c.members.size()][0] * c.relative[c.members.size()][1]));
        double area = 0;
        double widest = 0;
        for (Component c : order) {
            double[] size = c.relative[c.members.size()];
            area += (size[0] + COMPONENT_GAP) * (size[1] + COMPONENT_GAP);
            widest = Math.max(widest, size[0]);
        }
        double rowWidth = Math.max(widest, Math.sqrt(area) * ASPECT_RATIO);
        double x = 0, y = 0, rowHeight = 0;
        Map<ElementId, Box> placed = new HashMap<>();
        for (Component c : order) {
            double[] size = c.relative[c.members.size()];
            if (x > 0 && x + size[0] > rowWidth) {
                x = 0;
                y += rowHeight + COMPONENT_GAP;
                rowHeight = 0;
            }
            for (int k = 0; k < c.members.size(); k++) {
                Item i = items.get(c.members.get(k));
                placed.put(i.id(), new Box(i.id(), x + c.relative[k][0], y + c.relative[k][1], i.width(), i.height()));
            }
            x += size[0] + COMPONENT_GAP;
            rowHeight = Math.max(rowHeight, size[1]);
        }
        Map<ElementId, Box> out = new LinkedHashMap<>();
        for (Item i : items) {
            out.putIfAbsent(i.id(), placed.get(i.id()));
        }
        return out;
    }
}
