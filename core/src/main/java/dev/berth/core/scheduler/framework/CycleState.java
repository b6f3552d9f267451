package dev.berth.core.scheduler.framework;

import java.util.HashMap;
import java.util.Map;

/**
 * What plugins compute once per scheduling cycle (in PreFilter or PreScore) and read per node.
 * Used by the one scheduling thread only.
 */
public final class CycleState {
    private final Map<String, Object> data = new HashMap<>();

    public void put(String key, Object value) {
        data.put(key, value);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        return (T) data.get(key);
    }

    /** A copy sharing the values: preemption's dry runs change node infos, not plugin state. */
    public CycleState copy() {
        CycleState c = new CycleState();
        c.data.putAll(data);
        return c;
    }
}
