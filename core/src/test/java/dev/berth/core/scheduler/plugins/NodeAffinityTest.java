package dev.berth.core.scheduler.plugins;

import dev.berth.core.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeAffinityTest {
    static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirementBuilder().withKey(key).withOperator(op).withValues(values).build();
    }

    static Node node(String name, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    @Test
    void operatorsMatchAsKubernetesDefinesThem() {
        Map<String, String> labels = Map.of("zone", "a", "cores", "8");
        assertThat(NodeAffinity.matches(req("zone", "In", "a", "b"), labels)).isTrue();
        assertThat(NodeAffinity.matches(req("zone", "NotIn", "a"), labels)).isFalse();
        assertThat(NodeAffinity.matches(req("disk", "NotIn", "ssd"), labels)).isTrue();
        assertThat(NodeAffinity.matches(req("zone", "Exists"), labels)).isTrue();
        assertThat(NodeAffinity.matches(req("zone", "DoesNotExist"), labels)).isFalse();
        assertThat(NodeAffinity.matches(req("cores", "Gt", "4"), labels)).isTrue();
        assertThat(NodeAffinity.matches(req("cores", "Lt", "4"), labels)).isFalse();
        assertThat(NodeAffinity.matches(req("zone", "Gt", "4"), labels)).isFalse();
    }

    @Test
    void termsAreOredTheirRequirementsAndedAndAnEmptyTermMatchesNothing() {
        Node node = node("n1", Map.of("zone", "a", "disk", "ssd"));
        NodeSelectorTerm both = new NodeSelectorTermBuilder().withMatchExpressions(req("zone", "In", "a"), req("disk", "In", "hdd")).build();
        NodeSelectorTerm byName = new NodeSelectorTermBuilder().withMatchFields(req("metadata.name", "In", "n1")).build();
        assertThat(NodeAffinity.matchesTerm(both, node)).isFalse();
        assertThat(NodeAffinity.matchesTerm(byName, node)).isTrue();
        assertThat(NodeAffinity.matchesAnyTerm(List.of(both, byName), node)).isTrue();
        assertThat(NodeAffinity.matchesTerm(new NodeSelectorTermBuilder().build(), node)).isFalse();
    }

    @Test
    void nodeSelectorAndRequiredAffinityMustBothHoldAndPreferredTermsAddTheirWeights() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addToNodeSelector("disk", "ssd")
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addToMatchExpressions(req("zone", "In", "a")).endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(10).withNewPreference()
                .addToMatchExpressions(req("gpu", "Exists")).endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(3).withNewPreference()
                .addToMatchExpressions(req("zone", "In", "a")).endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
        assertThat(NodeAffinity.matchesRequired(pod, node("x", Map.of("zone", "a", "disk", "ssd")))).isTrue();
        assertThat(NodeAffinity.matchesRequired(pod, node("y", Map.of("zone", "a")))).isFalse();
        assertThat(NodeAffinity.matchesRequired(pod, node("z", Map.of("zone", "b", "disk", "ssd")))).isFalse();
        assertThat(NodeAffinity.preferredWeight(pod, node("g", Map.of("zone", "a", "gpu", "1")))).isEqualTo(13);
        assertThat(NodeAffinity.preferredWeight(pod, node("h", Map.of("zone", "b")))).isZero();
    }
}
