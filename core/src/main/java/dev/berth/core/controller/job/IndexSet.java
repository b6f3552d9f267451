package dev.berth.core.controller.job;

import java.util.BitSet;

/**
 * A set of completion indexes in the compressed text form of {@code status.completedIndexes}:
 * ascending, comma-separated, runs of three or more as ranges ({@code "1,3-5,7"}). Mutable;
 * indexes outside {@code [0, completions)} are dropped when parsing, as Kubernetes does.
 */
final class IndexSet {
    private final BitSet bits = new BitSet();

    static IndexSet parse(String text, int completions) {
        IndexSet set = new IndexSet();
        if (text == null || text.isBlank()) {
            return set;
        }
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dash = p.indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1));
                for (int i = Math.max(0, lo); i <= hi && i < completions; i++) {
                    set.bits.set(i);
                }
            } catch (NumberFormatException e) {
                // a malformed interval is ignored, like Kubernetes' parseIndexesFromString
            }
        }
        return set;
    }

    boolean contains(int index) {
        return index >= 0 && bits.get(index);
    }

    boolean add(int index) {
        if (bits.get(index)) {
            return false;
        }
        bits.set(index);
        return true;
    }

    /** The indexes, ascending. */
    java.util.List<Integer> toList() {
        return bits.stream().boxed().toList();
    }

    int size() {
        return bits.cardinality();
    }

    /** The text form, or null when empty (the field is omitted then). */
    String format() {
        if (bits.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int i = bits.nextSetBit(0);
        while (i >= 0) {
            int end = bits.nextClearBit(i) - 1;
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(i);
            if (end > i) {
                sb.append(end == i + 1 ? "," : "-").append(end);
            }
            i = bits.nextSetBit(end + 1);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        String s = format();
        return s == null ? "" : s;
    }
}
