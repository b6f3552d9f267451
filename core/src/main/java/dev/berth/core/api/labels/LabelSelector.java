package dev.berth.core.api.labels;

import java.util.Map;

/** Placeholder: equality-based label selectors only. */
public final class LabelSelector {
    private final Map<String, String> equals;

    private LabelSelector(Map<String, String> equals) {
        this.equals = equals;
    }

    public static LabelSelector parse(String s) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        for (String t : s.split(",")) {
            String[] kv = t.split("==?", 2);
            m.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
        }
        return new LabelSelector(m);
    }

    public boolean matches(Map<String, String> labels) {
        return equals.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
