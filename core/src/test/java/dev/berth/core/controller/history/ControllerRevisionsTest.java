package dev.berth.core.controller.history;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerRevisionsTest {
    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void revisionDataReplacesTheTemplateAndReadsBack() {
        Map<String, Object> data = ControllerRevisions.templatePatch(template("a:1"));
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) data.get("spec")).get("template");
        assertThat(t).containsEntry("$patch", "replace");
        ControllerRevision r = new ControllerRevisionBuilder().withNewMetadata().withName("web-x").endMetadata()
                .withData(data).withRevision(1L).build();
        assertThat(ControllerRevisions.template(r)).isEqualTo(template("a:1"));
        assertThat(ControllerRevisions.equalData(r, ControllerRevisions.templatePatch(template("a:1")))).isTrue();
        assertThat(ControllerRevisions.equalData(r, ControllerRevisions.templatePatch(template("a:2")))).isFalse();
    }

    @Test
    void hashIsStableUsesTheSafeAlphabetAndMovesWithTheCollisionCount() {
        Map<String, Object> data = ControllerRevisions.templatePatch(template("a:1"));
        String h = ControllerRevisions.hash(data, null);
        assertThat(h).isEqualTo(ControllerRevisions.hash(ControllerRevisions.templatePatch(template("a:1")), null));
        assertThat(h).matches("[bcdfghjklmnpqrstvwxz2456789]+");
        assertThat(ControllerRevisions.hash(data, 1)).isNotEqualTo(h);
        assertThat(ControllerRevisions.hash(ControllerRevisions.templatePatch(template("a:2")), null)).isNotEqualTo(h);
    }
}
