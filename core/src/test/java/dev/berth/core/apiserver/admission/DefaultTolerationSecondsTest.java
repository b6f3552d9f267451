package dev.berth.core.apiserver.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultTolerationSecondsTest {
    private static Pod admit(DefaultTolerationSeconds plugin, Pod pod) {
        plugin.mutate(new AdmissionRequest(null, AdmissionRequest.Operation.CREATE, null, pod, null, null, false));
        return pod;
    }

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec();
    }

    @Test
    void addsNotReadyAndUnreachableTolerationsWithTheConfiguredSeconds() {
        Pod p = admit(new DefaultTolerationSeconds(7, 9), pod().build());
        assertThat(p.getSpec().getTolerations()).extracting(Toleration::getKey, Toleration::getOperator,
                        Toleration::getEffect, Toleration::getTolerationSeconds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/not-ready", "Exists", "NoExecute", 7L),
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "Exists", "NoExecute", 9L));
    }

    @Test
    void keepsTolerationsThePodAlreadyHas() {
        Pod p = admit(DefaultTolerationSeconds.labDefaults(), pod().editSpec().addNewToleration()
                .withKey("node.kubernetes.io/unreachable").withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(600L).endToleration().endSpec().build());
        assertThat(p.getSpec().getTolerations()).extracting(Toleration::getKey, Toleration::getTolerationSeconds)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", 600L),
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/not-ready", 5L));

        Pod all = admit(DefaultTolerationSeconds.labDefaults(), pod().editSpec().addNewToleration()
                .withOperator("Exists").endToleration().endSpec().build());
        assertThat(all.getSpec().getTolerations()).hasSize(1);
    }

    @Test
    void refusesNegativeSeconds() {
        assertThatThrownBy(() -> new DefaultTolerationSeconds(-1, 5))
                .hasMessage("default not-ready toleration seconds -1 must not be negative");
    }
}
