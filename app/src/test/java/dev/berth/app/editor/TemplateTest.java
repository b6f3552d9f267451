package dev.berth.app.editor;

import dev.berth.core.api.defaulting.Defaulter;
import dev.berth.core.api.validation.Validator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TemplateTest {
    private static final KubernetesSerialization SER = new KubernetesSerialization();

    @Test
    void everyKindGetsATemplateThatParsesAsItsOwnKind() throws Exception {
        assertThat(YamlText.parse(EditorController.template("Deployment", "apps/v1", "lab", true)).getKind()).isEqualTo("Deployment");
        var pvc = YamlText.parse(EditorController.template("PersistentVolumeClaim", "v1", "lab", true));
        assertThat(pvc.getKind()).isEqualTo("PersistentVolumeClaim");
        assertThat(pvc.getMetadata().getNamespace()).isEqualTo("lab");
        var node = YamlText.parse(EditorController.template("Node", "v1", "lab", false));
        assertThat(node.getApiVersion()).isEqualTo("v1");
        assertThat(node.getMetadata().getNamespace()).isNull();
    }

    @Test
    void everyFullExampleIsItsKindInTheNamespaceChosenAndPassesTheServersValidation() {
        Validator validator = new Validator();
        Defaulter defaulter = new Defaulter();
        for (String kind : EditorController.TEMPLATE_KINDS) {
            String yaml = EditorController.template(kind, "unused/v1", "lab", true);
            assertThat(yaml).as(kind).doesNotContain("${").doesNotContain(":latest").doesNotContain("unused/v1");
            HasMetadata typed = SER.unmarshal(yaml);
            assertThat(typed).as(kind).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(typed.getKind()).isEqualTo(kind);
            assertThat(typed.getMetadata().getNamespace()).as(kind).isEqualTo(kind.equals("Namespace") ? null : "lab");
            typed.getMetadata().setUid(java.util.UUID.randomUUID().toString());
            defaulter.apply(typed);
            if (typed instanceof io.fabric8.kubernetes.api.model.batch.v1.Job job) {
                defaulter.applyJobSelector(job); // as the server does once the uid is set
            }
            assertThat(validator.validateCreate(typed)).as(kind + " validates").isEmpty();
        }
    }
}
