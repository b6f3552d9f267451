package dev.berth.core.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicyBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRulesBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The behavior of an autoscaler (stabilization windows and rate policies) as Kubernetes applies
 * it, with the history it needs: recent recommendations and recent scale changes of one
 * autoscaler. Not thread-safe; one reconcile of a key runs at a time.
 */
final class ScalingBehavior {
    record Recommendation(Instant at, int replicas) {
    }

    record ScaleChange(Instant at, int replicas) {
    }

    /** The outcome of a limit: the replicas, and why (a condition reason and message). */
    record Limited(int replicas, String reason, String message) {
    }

    private final List<Recommendation> recommendations = new ArrayList<>();
    private final List<ScaleChange> ups = new ArrayList<>();
    private final List<ScaleChange> downs = new ArrayList<>();

    /** Kubernetes' defaults: up at once by 4 pods or 100% per 15 s; down by 100% per 15 s after 300 s of stability. */
    static HPAScalingRules scaleUpRules(HorizontalPodAutoscalerBehavior behavior) {
        HPAScalingRules given = behavior == null ? null : behavior.getScaleUp();
        HPAScalingRulesBuilder b = given == null ? new HPAScalingRulesBuilder() : new HPAScalingRulesBuilder(given);
        if (given == null || given.getStabilizationWindowSeconds() == null) {
            b.withStabilizationWindowSeconds(0);
        }
        if (given == null || given.getSelectPolicy() == null) {
            b.withSelectPolicy("Max");
        }
        if (given == null || given.getPolicies() == null || given.getPolicies().isEmpty()) {
            b.withPolicies(policy("Pods", 4, 15), policy("Percent", 100, 15));
        }
        return b.build();
    }

    static HPAScalingRules scaleDownRules(HorizontalPodAutoscalerBehavior behavior) {
        HPAScalingRules given = behavior == null ? null : behavior.getScaleDown();
        HPAScalingRulesBuilder b = given == null ? new HPAScalingRulesBuilder() : new HPAScalingRulesBuilder(given);
        if (given == null || given.getStabilizationWindowSeconds() == null) {
            b.withStabilizationWindowSeconds(300);
        }
        if (given == null || given.getSelectPolicy() == null) {
            b.withSelectPolicy("Max");
        }
        if (given == null || given.getPolicies() == null || given.getPolicies().isEmpty()) {
            b.withPolicies(policy("Percent", 100, 15));
        }
        return b.build();
    }

    private static HPAScalingPolicy policy(String type, int value, int periodSeconds) {
        return new HPAScalingPolicyBuilder().withType(type).withValue(value).withPeriodSeconds(periodSeconds).build();
    }

    /**
     * Stabilization: scaling up goes only as high as the lowest recommendation of the up window,
     * scaling down only as low as the highest of the down window. Records {@code desired}.
     */
    Limited stabilize(int current, int desired, HPAScalingRules up, HPAScalingRules down, Instant now) {
        int recommendation = desired;
        int upWindow = up.getStabilizationWindowSeconds();
        int downWindow = down.getStabilizationWindowSeconds();
        boolean scalingUp = desired >= current;
        Instant cutoff = now.minusSeconds(scalingUp ? upWindow : downWindow);
        for (Recommendation r : recommendations) {
            if (r.at().isAfter(cutoff)) {
                recommendation = scalingUp ? Math.min(recommendation, r.replicas()) : Math.max(recommendation, r.replicas());
            }
        }
        Instant obsolete = now.minusSeconds(Math.max(upWindow, downWindow));
        recommendations.removeIf(r -> r.at().isBefore(obsolete));
        recommendations.add(new Recommendation(now, desired));
        if (recommendation == desired) {
            return new Limited(recommendation, "ReadyForNewScale", "recommended size matches current size");
        }
        return scalingUp
                ? new Limited(recommendation, "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation")
                : new Limited(recommendation, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation");
    }

    /** Rate limits of the policies, and the min/max bounds. */
    Limited limitRate(int current, int desired, int min, int max, HPAScalingRules up, HPAScalingRules down, Instant now) {
        if (desired > current) {
            int limit = Math.max(current, scaleUpLimit(current, up, now));
            int allowed = max;
            String reason = "TooManyReplicas";
            String message = "the desired replica count is more than the maximum replica count";
            if (allowed > limit) {
                allowed = limit;
                reason = "ScaleUpLimit";
                message = "the desired replica count is increasing faster than the maximum scale rate";
            }
            if (desired > allowed) {
                return new Limited(allowed, reason, message);
            }
        } else if (desired < current) {
            int limit = Math.min(current, scaleDownLimit(current, down, now));
            int allowed = min;
            String reason = "TooFewReplicas";
            String message = "the desired replica count is less than the minimum replica count";
            if (allowed < limit) {
                allowed = limit;
                reason = "ScaleDownLimit";
                message = "the desired replica count is decreasing faster than the maximum scale rate";
            }
            if (desired < allowed) {
                return new Limited(allowed, reason, message);
            }
        }
        return new Limited(desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    private int scaleUpLimit(int current, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.getSelectPolicy())) {
            return current;
        }
        boolean pickMin = "Min".equals(rules.getSelectPolicy());
        int result = pickMin ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies()) {
            int periodStart = current - changedWithin(ups, p.getPeriodSeconds(), now);
            int proposed = "Pods".equals(p.getType())
                    ? periodStart + p.getValue()
                    : (int) Math.ceil(periodStart * (1 + p.getValue() / 100.0));
            result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    private int scaleDownLimit(int current, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.getSelectPolicy())) {
            return current;
        }
        // Min picks the policy allowing the smallest change: the highest floor
        boolean pickMin = "Min".equals(rules.getSelectPolicy());
        int result = pickMin ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies()) {
            int periodStart = current + changedWithin(downs, p.getPeriodSeconds(), now);
            int proposed = "Pods".equals(p.getType())
                    ? periodStart - p.getValue()
                    : (int) (periodStart * (1 - p.getValue() / 100.0));
            result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    private static int changedWithin(List<ScaleChange> changes, int periodSeconds, Instant now) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int sum = 0;
        for (ScaleChange c : changes) {
            if (c.at().isAfter(cutoff)) {
                sum += c.replicas();
            }
        }
        return sum;
    }

    /** Remembers a rescale for the rate policies; forgets changes older than every policy's period. */
    void recordScale(int from, int to, HPAScalingRules up, HPAScalingRules down, Instant now) {
        int longest = 0;
        for (HPAScalingPolicy p : up.getPolicies()) {
            longest = Math.max(longest, p.getPeriodSeconds());
        }
        for (HPAScalingPolicy p : down.getPolicies()) {
            longest = Math.max(longest, p.getPeriodSeconds());
        }
        Instant cutoff = now.minus(Duration.ofSeconds(longest));
        ups.removeIf(c -> !c.at().isAfter(cutoff));
        downs.removeIf(c -> !c.at().isAfter(cutoff));
        if (to > from) {
            ups.add(new ScaleChange(now, to - from));
        } else if (to < from) {
            downs.add(new ScaleChange(now, from - to));
        }
    }
}
