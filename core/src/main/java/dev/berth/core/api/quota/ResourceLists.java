package dev.berth.core.api.quota;

import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Kubernetes' quota helpers over resource lists (name to amount), kept sorted by name. */
public final class ResourceLists {
    private ResourceLists() {
    }

    /** The amounts of a fabric8 resource list; null is empty. */
    public static SortedMap<String, Amount> of(Map<String, Quantity> list) {
        SortedMap<String, Amount> out = new TreeMap<>();
        if (list != null) {
            list.forEach((k, v) -> out.put(k, Amount.of(v)));
        }
        return out;
    }

    public static Map<String, Quantity> toQuantities(Map<String, Amount> list) {
        SortedMap<String, Quantity> out = new TreeMap<>();
        list.forEach((k, v) -> out.put(k, v.toQuantity()));
        return out;
    }

    /** a + b, name by name. */
    public static SortedMap<String, Amount> add(Map<String, Amount> a, Map<String, Amount> b) {
        SortedMap<String, Amount> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Amount::plus));
        return out;
    }

    /** a - b for the names of a, never below zero. */
    public static SortedMap<String, Amount> subtractNonNegative(Map<String, Amount> a, Map<String, Amount> b) {
        SortedMap<String, Amount> out = new TreeMap<>();
        a.forEach((k, v) -> {
            Amount d = b.containsKey(k) ? v.minus(b.get(k)) : v;
            out.put(k, d.isNegative() ? new Amount(java.math.BigDecimal.ZERO, v.format()) : d);
        });
        return out;
    }

    /** Only the entries named in {@code names}. */
    public static SortedMap<String, Amount> mask(Map<String, Amount> list, Collection<String> names) {
        SortedMap<String, Amount> out = new TreeMap<>();
        for (String n : names) {
            if (list.containsKey(n)) {
                out.put(n, list.get(n));
            }
        }
        return out;
    }

    public static SortedMap<String, Amount> removeZeros(Map<String, Amount> list) {
        SortedMap<String, Amount> out = new TreeMap<>();
        list.forEach((k, v) -> {
            if (!v.isZero()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The names of {@code limits} that {@code a} exceeds (names missing from either are no limit). */
    public static List<String> exceeded(Map<String, Amount> a, Map<String, Amount> limits) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(limits).forEach((k, lim) -> {
            Amount v = a.get(k);
            if (v != null && v.compareTo(lim) > 0) {
                out.add(k);
            }
        });
        return out;
    }

    /** Same names, same values (formats aside). */
    public static boolean sameValues(Map<String, Amount> a, Map<String, Amount> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> e.getValue().sameValue(b.get(e.getKey())));
    }

    /** Kubernetes' prettyPrint: "limits.cpu=2,requests.cpu=500m". */
    public static String prettyPrint(Map<String, Amount> list) {
        return new TreeMap<>(list).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
