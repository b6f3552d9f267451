package dev.berth.core.api.quota;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaScopesTest {

    private static ResourceQuota quota(List<String> scopes, String pcOperator, String... values) {
        var b = new ResourceQuotaBuilder().withNewMetadata().withName("q").endMetadata().withNewSpec()
                .addToHard("pods", new Quantity("5")).addToHard("count/configmaps", new Quantity("5"))
                .withScopes(scopes);
        if (pcOperator != null) {
            b.withNewScopeSelector().addNewMatchExpression().withScopeName("PriorityClass").withOperator(pcOperator)
                    .withValues(values).endMatchExpression().endScopeSelector();
        }
        return b.endSpec().build();
    }

    private static Pod pod(String priorityClass, Long deadline, String cpu) {
        var b = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withPriorityClassName(priorityClass).withActiveDeadlineSeconds(deadline)
                .addNewContainer().withName("c").withNewResources();
        if (cpu != null) {
            b.addToRequests("cpu", new Quantity(cpu));
        }
        return b.endResources().endContainer().endSpec().build();
    }

    private static boolean matches(ResourceQuota q, Pod p) {
        return QuotaEvaluation.matches(q, q.getSpec().getHard().keySet(), "", "pods", p);
    }

    @Test
    void terminatingAndBestEffortScopesSelectByDeadlineAndResources() {
        assertThat(matches(quota(List.of("Terminating"), null), pod(null, 30L, null))).isTrue();
        assertThat(matches(quota(List.of("Terminating"), null), pod(null, null, null))).isFalse();
        assertThat(matches(quota(List.of("NotTerminating"), null), pod(null, null, null))).isTrue();
        assertThat(matches(quota(List.of("BestEffort"), null), pod(null, null, null))).isTrue();
        assertThat(matches(quota(List.of("BestEffort"), null), pod(null, null, "100m"))).isFalse();
        assertThat(matches(quota(List.of("NotBestEffort"), null), pod(null, null, "100m"))).isTrue();
        assertThat(matches(quota(List.of("NotBestEffort", "Terminating"), null), pod(null, null, "100m"))).isFalse();
    }

    @Test
    void priorityClassSelectorSupportsInNotInExistsAndDoesNotExist() {
        assertThat(matches(quota(List.of(), "In", "high"), pod("high", null, null))).isTrue();
        assertThat(matches(quota(List.of(), "In", "high"), pod("low", null, null))).isFalse();
        assertThat(matches(quota(List.of(), "NotIn", "high"), pod("low", null, null))).isTrue();
        assertThat(matches(quota(List.of(), "NotIn", "high"), pod(null, null, null))).isTrue();
        assertThat(matches(quota(List.of(), "Exists"), pod("low", null, null))).isTrue();
        assertThat(matches(quota(List.of(), "Exists"), pod(null, null, null))).isFalse();
        assertThat(matches(quota(List.of(), "DoesNotExist"), pod(null, null, null))).isTrue();
    }

    @Test
    void scopedQuotasMatchNothingButPods() {
        var cm = new ConfigMapBuilder().withNewMetadata().withName("cm").endMetadata().build();
        ResourceQuota scoped = quota(List.of("BestEffort"), null);
        ResourceQuota plain = quota(List.of(), null);
        assertThat(QuotaEvaluation.matches(scoped, scoped.getSpec().getHard().keySet(), "", "configmaps", cm)).isFalse();
        assertThat(QuotaEvaluation.matches(plain, plain.getSpec().getHard().keySet(), "", "configmaps", cm)).isTrue();
        assertThat(QuotaEvaluation.matches(plain, List.of("pods"), "", "configmaps", cm)).isFalse();
    }
}
