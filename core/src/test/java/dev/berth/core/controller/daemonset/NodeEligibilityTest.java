package dev.berth.core.controller.daemonset;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeEligibilityTest {
    private static Node node(String name, Map<String, String> labels, String taintKey, String effect) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata();
        if (taintKey != null) {
            b.withNewSpec().addToTaints(new TaintBuilder().withKey(taintKey).withEffect(effect).build()).endSpec();
        }
        return b.build();
    }

    private static PodSpec spec() {
        return new PodSpecBuilder().addNewContainer().withName("c").withImage("i").endContainer().build();
    }

    @Test
    void nodeSelectorMustMatchTheNodeLabels() {
        PodSpec s = new PodSpecBuilder(spec()).addToNodeSelector("disk", "ssd").build();
        assertThat(NodeEligibility.evaluate(node("a", Map.of("disk", "ssd"), null, null), s).shouldRun()).isTrue();
        assertThat(NodeEligibility.evaluate(node("b", Map.of("disk", "hdd"), null, null), s))
                .isEqualTo(new NodeEligibility.Verdict(false, false));
    }

    @Test
    void requiredNodeAffinityTermsAreOredAndExpressionsAnded() {
        PodSpec s = new PodSpecBuilder(spec()).withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey("zone").withOperator("In").withValues("a", "b").build())
                .addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey("gpu").withOperator("DoesNotExist").build())
                .endNodeSelectorTerm()
                .addNewNodeSelectorTerm()
                .addToMatchFields(new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In").withValues("special").build())
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
        assertThat(NodeEligibility.evaluate(node("n1", Map.of("zone", "a"), null, null), s).shouldRun()).isTrue();
        assertThat(NodeEligibility.evaluate(node("n2", Map.of("zone", "a", "gpu", "1"), null, null), s).shouldRun()).isFalse();
        assertThat(NodeEligibility.evaluate(node("n3", Map.of("zone", "c"), null, null), s).shouldRun()).isFalse();
        assertThat(NodeEligibility.evaluate(node("special", Map.of(), null, null), s).shouldRun()).isTrue();
    }

    @Test
    void untoleratedNoScheduleTaintKeepsNewPodsOffButLetsRunningOnesStay() {
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "dedicated", "NoSchedule"), spec()))
                .isEqualTo(new NodeEligibility.Verdict(false, true));
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "dedicated", "NoExecute"), spec()))
                .isEqualTo(new NodeEligibility.Verdict(false, false));
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "dedicated", "PreferNoSchedule"), spec()).shouldRun()).isTrue();
        PodSpec tolerant = new PodSpecBuilder(spec()).addNewToleration().withOperator("Exists").endToleration().build();
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "dedicated", "NoExecute"), tolerant).shouldRun()).isTrue();
    }

    @Test
    void daemonPodsTolerateTheNodeConditionTaintsAndCordoning() {
        for (String key : new String[] {"node.kubernetes.io/unschedulable", "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure"}) {
            assertThat(NodeEligibility.evaluate(node("a", Map.of(), key, "NoSchedule"), spec()).shouldRun()).as(key).isTrue();
        }
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "node.kubernetes.io/not-ready", "NoExecute"), spec()).shouldRun()).isTrue();
        assertThat(NodeEligibility.evaluate(node("a", Map.of(), "node.kubernetes.io/network-unavailable", "NoSchedule"), spec())
                .shouldRun()).as("only hostNetwork pods tolerate network-unavailable").isFalse();
        Node cordoned = new NodeBuilder(node("a", Map.of(), null, null)).editOrNewSpec().withUnschedulable(true).endSpec().build();
        assertThat(NodeEligibility.evaluate(cordoned, spec()).shouldRun()).isTrue();
        assertThat(NodeEligibility.withDaemonTolerations(null, false)).extracting(Toleration::getEffect)
                .containsExactly("NoExecute", "NoExecute", "NoSchedule", "NoSchedule", "NoSchedule", "NoSchedule");
    }
}
