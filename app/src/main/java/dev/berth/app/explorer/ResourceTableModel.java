package dev.berth.app.explorer;

import dev.berth.app.cluster.ResourceCache;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The rows of one kind's table, on the FX thread. Watch changes arrive in batches; each batch is
 * coalesced by key (latest wins) and applied element by element, so the filtered and sorted views
 * above it move only the rows that changed (no re-sort of 20,000 rows per event). A batch larger
 * than a quarter of the table (the first list, a reconnect) is applied as one replacement.
 * Rows live in the source list in no particular order: a removal moves the last row into the gap.
 */
public final class ResourceTableModel {
    /** A change already turned into a row on the watch thread. */
    public record RowChange(ResourceCache.Type type, String key, Row row) {}

    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final FilteredList<Row> filtered = new FilteredList<>(rows);
    private final SortedList<Row> sorted = new SortedList<>(filtered);
    private final Map<String, Integer> positions = new HashMap<>();
    private final List<Consumer<Set<String>>> changeListeners = new ArrayList<>();
    private RowFilter filter = RowFilter.ALL;

    public SortedList<Row> sorted() {
        return sorted;
    }

    public int size() {
        return rows.size();
    }

    public int shown() {
        return filtered.size();
    }

    public RowFilter filter() {
        return filter;
    }

    public void setFilter(RowFilter f) {
        filter = f;
        filtered.setPredicate(f.isEmpty() ? null : f);
    }

    public Row get(String key) {
        Integer i = positions.get(key);
        return i == null ? null : rows.get(i);
    }

    /** Told the keys each batch changed. */
    public void onChange(Consumer<Set<String>> listener) {
        changeListeners.add(listener);
    }

    public void apply(List<RowChange> batch) {
        Map<String, RowChange> latest = new LinkedHashMap<>();
        for (RowChange c : batch) {
            latest.put(c.key(), c);
        }
        if (latest.size() > 64 && latest.size() > rows.size() / 4) {
            replaceAll(latest);
        } else {
            for (RowChange c : latest.values()) {
                applyOne(c);
            }
        }
        Set<String> keys = latest.keySet();
        for (Consumer<Set<String>> l : changeListeners) {
            l.accept(keys);
        }
    }

    private void applyOne(RowChange c) {
        Integer at = positions.get(c.key());
        if (c.type() == ResourceCache.Type.DELETED) {
            if (at == null) {
                return;
            }
            int last = rows.size() - 1;
            if (at != last) {
                Row moved = rows.get(last);
                rows.set(at, moved);
                positions.put(moved.key(), at);
            }
            rows.remove(last);
            positions.remove(c.key());
        } else if (at != null) {
            rows.set(at, c.row());
        } else {
            positions.put(c.key(), rows.size());
            rows.add(c.row());
        }
    }

    private void replaceAll(Map<String, RowChange> changes) {
        Map<String, Row> next = new LinkedHashMap<>();
        for (Row r : rows) {
            next.put(r.key(), r);
        }
        for (RowChange c : changes.values()) {
            if (c.type() == ResourceCache.Type.DELETED) {
                next.remove(c.key());
            } else {
                next.put(c.key(), c.row());
            }
        }
        List<Row> list = new ArrayList<>(next.values());
        positions.clear();
        for (int i = 0; i < list.size(); i++) {
            positions.put(list.get(i).key(), i);
        }
        rows.setAll(list);
    }
}
