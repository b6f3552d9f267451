package dev.berth.core.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The taints node lifecycle manages and the toleration rule of Kubernetes; pure functions. */
public final class Taints {
    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
    public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    public static final String NO_EXECUTE = "NoExecute";
    public static final String NO_SCHEDULE = "NoSchedule";

    static final List<String> MANAGED_KEYS = List.of(NOT_READY, UNREACHABLE, MEMORY_PRESSURE, DISK_PRESSURE,
            PID_PRESSURE, NETWORK_UNAVAILABLE, UNSCHEDULABLE);

    private Taints() {
    }

    /** True when {@code t} tolerates {@code taint}, by Kubernetes' rule (empty key with Exists matches every key). */
    public static boolean tolerates(Toleration t, Taint taint) {
        if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        String key = t.getKey() == null ? "" : t.getKey();
        if (!key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        return switch (op) {
            case "Exists" -> true;
            case "Equal" -> !key.isEmpty() && Objects.equals(nullToEmpty(t.getValue()), nullToEmpty(taint.getValue()));
            default -> false;
        };
    }

    public static List<Taint> noExecute(List<Taint> taints) {
        List<Taint> out = new ArrayList<>();
        if (taints != null) {
            for (Taint t : taints) {
                if (NO_EXECUTE.equals(t.getEffect())) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    static boolean managed(Taint t) {
        return MANAGED_KEYS.contains(t.getKey()) && (NO_EXECUTE.equals(t.getEffect()) || NO_SCHEDULE.equals(t.getEffect()));
    }

    static boolean same(Taint a, Taint b) {
        return Objects.equals(a.getKey(), b.getKey()) && Objects.equals(a.getEffect(), b.getEffect())
                && Objects.equals(nullToEmpty(a.getValue()), nullToEmpty(b.getValue()));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
