package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CustomResourceAdmissionTest {
    private static JsonNode yaml(String s) {
        try {
            return Json.YAML.readTree(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> messages(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).toList();
    }

    @Test
    void protectedGroupNeedsTheApprovalAnnotation() {
        JsonNode crd = yaml("""
                metadata: {name: widgets.berth.k8s.io}
                spec:
                  group: berth.k8s.io
                  scope: Namespaced
                  names: {plural: widgets, kind: Widget}
                  versions:
                  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
                """);
        assertThat(messages(CustomResourceAdmission.validateDefinition(crd))).singleElement().asString()
                .startsWith("metadata.annotations[api-approved.kubernetes.io]: Required value");
        ((com.fasterxml.jackson.databind.node.ObjectNode) crd.get("metadata")).putObject("annotations")
                .put("api-approved.kubernetes.io", "https://github.com/kubernetes/enhancements/pull/1111");
        assertThat(CustomResourceAdmission.validateDefinition(crd)).isEmpty();
    }

    @Test
    void definitionWithAnUnsupportedPrinterColumnPathIsInvalid() {
        JsonNode crd = yaml("""
                metadata: {name: widgets.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, kind: Widget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object}}
                    additionalPrinterColumns: [{name: Size, type: integer, jsonPath: '.spec[?(@.x)]'}]
                """);
        assertThat(messages(CustomResourceAdmission.validateDefinition(crd)))
                .singleElement().asString().startsWith("spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value");
    }

    @Test
    void definitionNeedsMatchingNameAndExactlyOneStorageVersion() {
        JsonNode crd = yaml("""
                metadata: {name: widgets.example.org}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, kind: Widget}
                  versions:
                  - {name: v1, served: true, storage: false, schema: {openAPIV3Schema: {type: object}}}
                  - {name: v2, served: true, storage: false}
                """);
        assertThat(messages(CustomResourceAdmission.validateDefinition(crd))).containsExactly(
                "metadata.name: Invalid value: \"widgets.example.org\": must be spec.names.plural+\".\"+spec.group",
                "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required",
                "spec.versions: Invalid value: \"[v1, v2]\": must have exactly one version marked as storage version");
    }
}
