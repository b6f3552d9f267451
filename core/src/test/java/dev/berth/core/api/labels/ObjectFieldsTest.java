package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectFieldsTest {

    private final io.fabric8.kubernetes.api.model.Pod pod = new PodBuilder()
            .withNewMetadata().withName("web").withNamespace("default").endMetadata()
            .withNewSpec().withNodeName("n1").endSpec()
            .withNewStatus().withPhase("Running").endStatus()
            .build();

    @Test
    void selectsPodsByNodeAndPhase() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=n1,status.phase!=Succeeded")
                .requireSupported(ObjectFields.supported("Pod"));
        assertThat(s.matches(ObjectFields.values(pod))).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName=").matches(ObjectFields.values(pod))).isFalse();
    }

    @Test
    void everyKindSupportsNameAndNamespace() {
        assertThat(ObjectFields.supported("ConfigMap")).containsExactly("metadata.name", "metadata.namespace");
    }

    @Test
    void podFieldsAreNotSupportedOnOtherKinds() {
        assertThatThrownBy(() -> FieldSelector.parse("spec.nodeName=n1").requireSupported(ObjectFields.supported("Service")))
                .isInstanceOf(ApiException.class).hasMessage("field label not supported: spec.nodeName");
    }
}
