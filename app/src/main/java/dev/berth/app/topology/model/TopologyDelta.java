package dev.berth.app.topology.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one batch of changes did to the topology: elements added, removed or restyled (same id, new
 * state), edges added or removed (an edge whose readiness changed is removed and added again), and
 * the containers (ReplicaSets, Jobs, StatefulSets, DaemonSets, Nodes in the node view) whose pod
 * list changed. Never a rebuild: an unchanged element is in none of the lists.
 */
public final class TopologyDelta {
    private final Map<ElementId, TopologyElement> added = new LinkedHashMap<>();
    private final Set<ElementId> removed = new LinkedHashSet<>();
    private final Map<ElementId, TopologyElement> restyled = new LinkedHashMap<>();
    private final Map<TopologyEdge.Key, TopologyEdge> edgesAdded = new LinkedHashMap<>();
    private final Map<TopologyEdge.Key, TopologyEdge> edgesRemoved = new LinkedHashMap<>();
    private final Set<ElementId> regrouped = new LinkedHashSet<>();

    void added(TopologyElement e) {
        if (removed.remove(e.id())) {
            restyled.put(e.id(), e);   // removed then added in one batch: the same element, new state
        } else {
            added.put(e.id(), e);
        }
    }

    void removed(ElementId id) {
        restyled.remove(id);
        if (added.remove(id) == null) {
            removed.add(id);
        }
    }

    void restyled(TopologyElement e) {
        if (added.containsKey(e.id())) {
            added.put(e.id(), e);
        } else {
            restyled.put(e.id(), e);
        }
    }

    void edgeAdded(TopologyEdge e) {
        TopologyEdge gone = edgesRemoved.get(e.key());
        if (gone != null && gone.equals(e)) {
            edgesRemoved.remove(e.key());
        } else {
            edgesAdded.put(e.key(), e);
        }
    }

    void edgeRemoved(TopologyEdge e) {
        TopologyEdge fresh = edgesAdded.remove(e.key());
        if (fresh == null || !fresh.equals(e)) {
            edgesRemoved.put(e.key(), e);
        }
    }

    void regrouped(ElementId container) {
        regrouped.add(container);
    }

    public List<TopologyElement> added() {
        return new ArrayList<>(added.values());
    }

    public Set<ElementId> removed() {
        return Set.copyOf(removed);
    }

    public List<TopologyElement> restyled() {
        return new ArrayList<>(restyled.values());
    }

    public List<TopologyEdge> edgesAdded() {
        return new ArrayList<>(edgesAdded.values());
    }

    public List<TopologyEdge> edgesRemoved() {
        return new ArrayList<>(edgesRemoved.values());
    }

    /** Containers whose pods changed (a pod joined or left); their grids are redrawn, nothing is laid out. */
    public Set<ElementId> regrouped() {
        return Set.copyOf(regrouped);
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && restyled.isEmpty() && edgesAdded.isEmpty()
                && edgesRemoved.isEmpty() && regrouped.isEmpty();
    }

    /** Elements (not pods) that were added: the ones that need a place on the canvas. */
    public boolean addsBoxes() {
        return added.values().stream().anyMatch(e -> !e.isPod());
    }

    @Override
    public String toString() {
        return "TopologyDelta[added=" + added.keySet() + ", removed=" + removed + ", restyled=" + restyled.keySet()
                + ", edgesAdded=" + edgesAdded.keySet() + ", edgesRemoved=" + edgesRemoved.keySet() + ", regrouped=" + regrouped + "]";
    }
}
