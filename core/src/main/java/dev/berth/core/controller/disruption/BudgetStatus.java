package dev.berth.core.controller.disruption;

import io.fabric8.kubernetes.api.model.IntOrString;

import java.time.Instant;
import java.util.Map;

/**
 * The arithmetic of a budget, as Kubernetes' disruption controller does it: how many pods are
 * expected, how many must stay healthy, how many may go.
 */
record BudgetStatus(int expectedPods, int desiredHealthy, int currentHealthy, Map<String, Instant> disruptedPods) {

    int disruptionsAllowed() {
        return Math.max(0, currentHealthy - desiredHealthy);
    }

    /**
     * An int-or-percent scaled against {@code total}; percentages round up, as
     * {@code intstr.GetScaledValueFromIntOrPercent(v, total, true)}.
     *
     * @throws IllegalArgumentException when the value is neither an integer nor a percentage
     */
    static int scaled(IntOrString value, int total) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": must be an integer or a percentage");
        }
        int percent;
        try {
            percent = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": must be an integer or a percentage");
        }
        return (int) Math.ceil(percent * (double) total / 100.0);
    }

    static boolean isPercent(IntOrString value) {
        return value.getIntVal() == null;
    }
}
