package dev.berth.core.scheduler.plugins.tainttoleration;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Optional;

/**
 * Keeps pods off nodes with NoSchedule or NoExecute taints they do not tolerate, and prefers
 * nodes with fewer untolerated PreferNoSchedule taints.
 */
public final class TaintToleration implements FilterPlugin, ScorePlugin {
    public static final String NAME = "TaintToleration";
    public static final String NO_SCHEDULE = "NoSchedule";
    public static final String NO_EXECUTE = "NoExecute";
    public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";

    private TaintToleration() {
    }

    public static TaintToleration create() {
        return new TaintToleration();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Optional<Taint> untolerated = firstUntolerated(node.node().getSpec().getTaints(), pod.pod().getSpec().getTolerations());
        return untolerated.map(t -> Status.unresolvable(NAME, reason(t))).orElse(Status.SUCCESS);
    }

    /** Kubernetes' message for a taint the pod does not tolerate. */
    public static String reason(Taint taint) {
        return "node(s) had untolerated taint {" + taint.getKey() + ": " + (taint.getValue() == null ? "" : taint.getValue()) + "}";
    }

    /** The first NoSchedule or NoExecute taint that no toleration tolerates. */
    public static Optional<Taint> firstUntolerated(List<Taint> taints, List<Toleration> tolerations) {
        if (taints == null) {
            return Optional.empty();
        }
        for (Taint t : taints) {
            if ((NO_SCHEDULE.equals(t.getEffect()) || NO_EXECUTE.equals(t.getEffect())) && !tolerated(t, tolerations)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static boolean tolerated(Taint taint, List<Toleration> tolerations) {
        if (tolerations == null) {
            return false;
        }
        for (Toleration tol : tolerations) {
            if (tolerates(tol, taint)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Kubernetes' ToleratesTaint: the effects match (empty tolerates all), the keys match (empty
     * key with Exists tolerates all), and Exists, or Equal with the same value.
     */
    public static boolean tolerates(Toleration tol, Taint taint) {
        if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
            return false;
        }
        String key = tol.getKey() == null ? "" : tol.getKey();
        if (!key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String op = tol.getOperator() == null || tol.getOperator().isEmpty() ? "Equal" : tol.getOperator();
        return switch (op) {
            case "Exists" -> true;
            case "Equal" -> !key.isEmpty() && nullToEmpty(tol.getValue()).equals(nullToEmpty(taint.getValue()));
            default -> false;
        };
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The number of PreferNoSchedule taints the pod does not tolerate (fewer is better). */
    public static int countIntolerablePreferNoSchedule(List<Taint> taints, List<Toleration> tolerations) {
        if (taints == null) {
            return 0;
        }
        List<Toleration> relevant = tolerations == null ? List.of() : tolerations.stream()
                .filter(t -> t.getEffect() == null || t.getEffect().isEmpty() || PREFER_NO_SCHEDULE.equals(t.getEffect()))
                .toList();
        int n = 0;
        for (Taint t : taints) {
            if (PREFER_NO_SCHEDULE.equals(t.getEffect()) && !tolerated(t, relevant)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        return countIntolerablePreferNoSchedule(node.node().getSpec().getTaints(), pod.pod().getSpec().getTolerations());
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        ScorePlugin.defaultNormalize(scores, true);
    }
}
