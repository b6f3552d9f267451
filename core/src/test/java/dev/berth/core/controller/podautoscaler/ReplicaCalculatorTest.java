package dev.berth.core.controller.podautoscaler;

import dev.berth.core.controller.podautoscaler.ReplicaCalculator.PodUsage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaCalculatorTest {

    @Test
    void scalesInProportionToUtilizationAboveTarget() {
        // 2 pods at 200% of a 50% target: 4 times the ready pods
        var p = ReplicaCalculator.forUtilization(2, List.of(
                new PodUsage("a", 100, 200L, true), new PodUsage("b", 100, 200L, true)), 50);
        assertThat(p.replicas()).isEqualTo(8);
        assertThat(p.utilization()).isEqualTo(200);
        assertThat(p.averageValue()).isEqualTo(200);
    }

    @Test
    void staysWithinTheTenPercentTolerance() {
        var p = ReplicaCalculator.forUtilization(3, List.of(
                new PodUsage("a", 100, 54L, true), new PodUsage("b", 100, 54L, true), new PodUsage("c", 100, 54L, true)), 50);
        assertThat(p.replicas()).isEqualTo(3);
    }

    @Test
    void scalesDownWhenBelowTarget() {
        var p = ReplicaCalculator.forUtilization(4, List.of(
                new PodUsage("a", 100, 10L, true), new PodUsage("b", 100, 10L, true),
                new PodUsage("c", 100, 10L, true), new PodUsage("d", 100, 10L, true)), 50);
        assertThat(p.replicas()).isEqualTo(1);
    }

    @Test
    void podsWithoutMetricsCountAsFullyUsedWhenScalingDown() {
        // 1 pod at 10% and 1 without metrics: counted at 100% of request, the average is 55%: no scale down
        var p = ReplicaCalculator.forUtilization(2, List.of(
                new PodUsage("a", 100, 10L, true), new PodUsage("b", 100, null, true)), 50);
        assertThat(p.replicas()).isEqualTo(2);
    }

    @Test
    void unreadyPodsCountAsIdleWhenScalingUp() {
        // 1 ready pod at 100% and 3 unready: counted at 0, the average is 25% < 50%: no scale up
        var p = ReplicaCalculator.forUtilization(4, List.of(
                new PodUsage("a", 100, 100L, true), new PodUsage("b", 100, 90L, false),
                new PodUsage("c", 100, 90L, false), new PodUsage("d", 100, 90L, false)), 50);
        assertThat(p.replicas()).isEqualTo(4);
    }

    @Test
    void aPodWithoutARequestIsAnError() {
        assertThatThrownBy(() -> ReplicaCalculator.forUtilization(1, List.of(new PodUsage("a", 0, 10L, true)), 50))
                .hasMessageContaining("missing request").hasMessageContaining("a");
    }

    @Test
    void noMetricsAtAllIsAnError() {
        assertThatThrownBy(() -> ReplicaCalculator.forUtilization(1, List.of(new PodUsage("a", 100, null, true)), 50))
                .hasMessageContaining("did not receive metrics");
    }

    @Test
    void averageValueTargetsDivideTotalUsageByTheTarget() {
        var p = ReplicaCalculator.forAverageValue(2, List.of(
                new PodUsage("a", 0, 300L, true), new PodUsage("b", 0, 300L, true)), 200);
        assertThat(p.replicas()).isEqualTo(3);
    }
}
