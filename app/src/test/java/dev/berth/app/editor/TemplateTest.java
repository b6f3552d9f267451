package dev.berth.app.editor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TemplateTest {
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
}
