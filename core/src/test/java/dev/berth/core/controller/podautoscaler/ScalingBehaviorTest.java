package dev.berth.core.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ScalingBehaviorTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final ScalingBehavior behavior = new ScalingBehavior();
    private final HPAScalingRules upRules = ScalingBehavior.scaleUpRules(null);
    private final HPAScalingRules downRules = ScalingBehavior.scaleDownRules(null);

    @Test
    void defaultsAreKubernetesOwn() {
        assertThat(upRules.getStabilizationWindowSeconds()).isZero();
        assertThat(upRules.getPolicies()).hasSize(2);
        assertThat(downRules.getStabilizationWindowSeconds()).isEqualTo(300);
        assertThat(downRules.getPolicies()).singleElement().satisfies(p -> {
            assertThat(p.getType()).isEqualTo("Percent");
            assertThat(p.getValue()).isEqualTo(100);
        });
    }

    @Test
    void scaleDownWaitsForTheHighestRecommendationOfTheWindow() {
        behavior.stabilize(5, 8, upRules, downRules, T0);
        var later = behavior.stabilize(8, 2, upRules, downRules, T0.plusSeconds(60));
        assertThat(later.replicas()).isEqualTo(8);
        assertThat(later.reason()).isEqualTo("ScaleDownStabilized");
        // after the 300 s window the low recommendation wins
        var afterWindow = behavior.stabilize(8, 2, upRules, downRules, T0.plusSeconds(400));
        assertThat(afterWindow.replicas()).isEqualTo(2);
    }

    @Test
    void scaleUpIsLimitedToFourPodsOrDoublingPerFifteenSeconds() {
        var first = behavior.limitRate(2, 20, 1, 50, upRules, downRules, T0);
        assertThat(first.replicas()).isEqualTo(6);
        assertThat(first.reason()).isEqualTo("ScaleUpLimit");
        behavior.recordScale(2, 6, upRules, downRules, T0);
        // within the same period the start was 2: no more than 6
        assertThat(behavior.limitRate(6, 20, 1, 50, upRules, downRules, T0.plusSeconds(5)).replicas()).isEqualTo(6);
        // a period later: doubling 6 gives 12
        assertThat(behavior.limitRate(6, 20, 1, 50, upRules, downRules, T0.plusSeconds(16)).replicas()).isEqualTo(12);
    }

    @Test
    void maxReplicasBoundsTheDesiredCount() {
        var limited = behavior.limitRate(2, 4, 1, 3, upRules, downRules, T0);
        assertThat(limited.replicas()).isEqualTo(3);
        assertThat(limited.reason()).isEqualTo("TooManyReplicas");
    }

    @Test
    void disabledScaleDownKeepsTheCurrentCount() {
        var rules = ScalingBehavior.scaleDownRules(new HorizontalPodAutoscalerBehaviorBuilder()
                .withNewScaleDown().withSelectPolicy("Disabled").endScaleDown().build());
        assertThat(behavior.limitRate(5, 1, 1, 10, upRules, rules, T0).replicas()).isEqualTo(5);
    }
}
