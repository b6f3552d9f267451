package dev.berth.core.controller.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RolloutsTest {
    static Deployment deployment(int replicas, IntOrString surge, IntOrString unavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate().endStrategy()
                .withTemplate(template("nginx:1.27")).endSpec().build();
    }

    static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void percentagesRoundSurgeUpAndUnavailableDownLikeKubernetes() {
        Deployment d = deployment(10, new IntOrString("25%"), new IntOrString("25%"));
        assertThat(Rollouts.maxSurge(d)).isEqualTo(3);       // 2.5 -> 3
        assertThat(Rollouts.maxUnavailable(d)).isEqualTo(2); // 2.5 -> 2
        Deployment small = deployment(1, new IntOrString("25%"), new IntOrString("25%"));
        assertThat(Rollouts.maxSurge(small)).isEqualTo(1);
        assertThat(Rollouts.maxUnavailable(small)).isZero();
        Deployment zeros = deployment(3, new IntOrString(0), new IntOrString(0));
        assertThat(Rollouts.maxUnavailable(zeros)).as("both zero makes maxUnavailable 1").isEqualTo(1);
        Deployment ints = deployment(3, new IntOrString(1), new IntOrString(5));
        assertThat(Rollouts.maxUnavailable(ints)).as("capped at replicas").isEqualTo(3);
    }

    @Test
    void aMalformedPercentageIsRefusedNamingTheField() {
        Deployment d = deployment(3, new IntOrString("25"), new IntOrString(0));
        assertThatThrownBy(() -> Rollouts.maxSurge(d)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.strategy.rollingUpdate.maxSurge").hasMessageContaining("\"25\"");
    }

    @Test
    void newReplicaSetGrowsOnlyWithinMaxSurge() {
        Deployment d = deployment(4, new IntOrString(1), new IntOrString(0));
        ReplicaSet old = new ReplicaSetBuilder().withNewMetadata().withName("old").endMetadata()
                .withNewSpec().withReplicas(4).endSpec().build();
        ReplicaSet fresh = new ReplicaSetBuilder().withNewMetadata().withName("new").endMetadata()
                .withNewSpec().withReplicas(0).endSpec().build();
        assertThat(Rollouts.newRsNewReplicas(d, List.of(old, fresh), fresh)).isEqualTo(1);
        old.getSpec().setReplicas(2);
        fresh.getSpec().setReplicas(1);
        assertThat(Rollouts.newRsNewReplicas(d, List.of(old, fresh), fresh)).isEqualTo(3);
    }

    @Test
    void templateHashIsStableSafeAndChangesWithTheTemplateAndCollisionCount() {
        String a = Rollouts.hash(template("nginx:1.27"), null);
        assertThat(a).isEqualTo(Rollouts.hash(template("nginx:1.27"), null)).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(Rollouts.hash(template("nginx:1.28"), null)).isNotEqualTo(a);
        assertThat(Rollouts.hash(template("nginx:1.27"), 1)).isNotEqualTo(a);
    }

    @Test
    void templatesEqualIgnoringTheHashLabelAndEmptyFields() {
        PodTemplateSpec withHash = new PodTemplateSpecBuilder(template("nginx:1.27")).editMetadata()
                .addToLabels(Rollouts.POD_TEMPLATE_HASH, "abc").endMetadata().build();
        PodTemplateSpec withEmptyResources = new PodTemplateSpecBuilder(template("nginx:1.27")).editSpec()
                .editFirstContainer().withResources(new ResourceRequirements()).endContainer().endSpec().build();
        assertThat(Rollouts.equalIgnoreHash(withHash, withEmptyResources)).isTrue();
        assertThat(Rollouts.equalIgnoreHash(withHash, template("nginx:1.28"))).isFalse();
    }

    @Test
    void aRollbackRaisesTheRevisionAndKeepsTheOldOneInHistory() {
        Deployment d = deployment(3, new IntOrString(1), new IntOrString(0));
        d.getMetadata().setAnnotations(Map.of("kubernetes.io/change-cause", "undo",
                Rollouts.LAST_APPLIED, "{}"));
        Map<String, String> a = new HashMap<>(Map.of(Rollouts.REVISION, "1"));
        assertThat(Rollouts.setNewReplicaSetAnnotations(d, a, "3", true)).isTrue();
        assertThat(a).containsEntry(Rollouts.REVISION, "3").containsEntry(Rollouts.REVISION_HISTORY, "1")
                .containsEntry("kubernetes.io/change-cause", "undo").doesNotContainKey(Rollouts.LAST_APPLIED);
        Rollouts.setNewReplicaSetAnnotations(d, a, "5", true);
        assertThat(a).containsEntry(Rollouts.REVISION, "5").containsEntry(Rollouts.REVISION_HISTORY, "1,3");
        assertThat(Rollouts.setNewReplicaSetAnnotations(d, a, "5", true)).isFalse();
    }
}
