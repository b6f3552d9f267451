package dev.berth.core.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenApiV3Test {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpenApiV3 BUILTIN = OpenApiV3.build(BuiltinKinds.all());

    private static JsonNode json(byte[] bytes) throws IOException {
        return MAPPER.readTree(bytes);
    }

    private static JsonNode doc(OpenApiV3 api, String path) throws IOException {
        return json(api.document(path).orElseThrow());
    }

    private static JsonNode schema(JsonNode doc, String name) {
        JsonNode s = doc.path("components").path("schemas").path(name);
        assertThat(s.isObject()).as("schema %s", name).isTrue();
        return s;
    }

    private static String ref(JsonNode property) {
        JsonNode r = property.has("$ref") ? property.get("$ref") : property.path("allOf").path(0).path("$ref");
        return r.asText().replace("#/components/schemas/", "");
    }

    @Test
    void indexListsEveryGroupVersionWithItsContentHash() throws IOException {
        JsonNode index = json(BUILTIN.index());
        assertThat(index.path("paths").fieldNames()).toIterable().contains("api/v1", "apis/apps/v1", "apis/batch/v1",
                "apis/rbac.authorization.k8s.io/v1", "apis/apiextensions.k8s.io/v1");
        String url = index.at("/paths/apis~1apps~1v1/serverRelativeURL").asText();
        assertThat(url).isEqualTo("/openapi/v3/apis/apps/v1?hash=" + BUILTIN.hash("apis/apps/v1").orElseThrow());
        assertThat(BUILTIN.hash("/apis/apps/v1/")).isEqualTo(BUILTIN.hash("apis/apps/v1"));
        assertThat(BUILTIN.document("apis/example.com/v1")).isEmpty();
    }

    @Test
    void patchOperationNamesTheKindAndAcceptsFieldValidation() throws IOException {
        JsonNode doc = doc(BUILTIN, "apis/apps/v1");
        JsonNode patch = doc.path("paths").path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").path("patch");
        assertThat(patch.path("x-kubernetes-group-version-kind").toString())
                .isEqualTo("{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}");
        List<String> params = new ArrayList<>();
        patch.path("parameters").forEach(p -> params.add(p.path("in").asText() + ":" + p.path("name").asText()));
        assertThat(params).contains("query:fieldValidation", "query:fieldManager", "query:dryRun");
        JsonNode core = doc(BUILTIN, "api/v1");
        assertThat(core.path("paths").path("/api/v1/namespaces/{name}").path("patch")
                .path("x-kubernetes-group-version-kind").path("kind").asText()).isEqualTo("Namespace");
        assertThat(core.path("paths").has("/api/v1/namespaces/{namespace}/pods/{name}")).isTrue();
    }

    @Test
    void schemasAreNamedLikeKubernetesAndDescribeFieldTypes() throws IOException {
        JsonNode doc = doc(BUILTIN, "apis/apps/v1");
        JsonNode deployment = schema(doc, "io.k8s.api.apps.v1.Deployment");
        assertThat(deployment.path("x-kubernetes-group-version-kind").toString())
                .isEqualTo("[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]");
        assertThat(ref(deployment.at("/properties/metadata"))).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        JsonNode spec = schema(doc, ref(deployment.at("/properties/spec")));
        assertThat(spec.at("/properties/replicas/type").asText()).isEqualTo("integer");
        assertThat(spec.at("/properties/replicas/format").asText()).isEqualTo("int32");
        assertThat(ref(spec.at("/properties/template"))).isEqualTo("io.k8s.api.core.v1.PodTemplateSpec");
        JsonNode rolling = schema(doc, "io.k8s.api.apps.v1.RollingUpdateDeployment");
        assertThat(ref(rolling.at("/properties/maxSurge"))).isEqualTo("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(schema(doc, "io.k8s.apimachinery.pkg.util.intstr.IntOrString").path("format").asText())
                .isEqualTo("int-or-string");
        JsonNode resources = schema(doc, "io.k8s.api.core.v1.ResourceRequirements");
        assertThat(resources.at("/properties/limits/type").asText()).isEqualTo("object");
        assertThat(ref(resources.at("/properties/limits/additionalProperties")))
                .isEqualTo("io.k8s.apimachinery.pkg.api.resource.Quantity");
        JsonNode container = schema(doc, "io.k8s.api.core.v1.Container");
        assertThat(container.at("/properties/args/type").asText()).isEqualTo("array");
        assertThat(container.at("/properties/args/items/type").asText()).isEqualTo("string");
        JsonNode meta = schema(doc, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(meta.at("/properties/labels/additionalProperties/type").asText()).isEqualTo("string");
        assertThat(meta.path("properties").has("additionalProperties")).isFalse();
    }

    @Test
    void typesWithTheirOwnJsonFormAreStrings() throws IOException {
        JsonNode event = schema(doc(BUILTIN, "api/v1"), "io.k8s.api.core.v1.Event");
        assertThat(event.at("/properties/eventTime").toString()).isEqualTo("{\"type\":\"string\",\"format\":\"date-time\"}");
        assertThat(event.at("/properties/count/type").asText()).isEqualTo("integer");
    }

    @Test
    void everyReferenceResolvesWithinItsDocument() throws IOException {
        for (String path : BUILTIN.groupVersionPaths()) {
            JsonNode doc = doc(BUILTIN, path);
            List<String> refs = new ArrayList<>();
            collectRefs(doc, refs);
            assertThat(refs).as(path).isNotEmpty();
            for (String r : refs) {
                assertThat(doc.at(r.substring(1)).isObject()).as("%s in %s", r, path).isTrue();
            }
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    @Test
    void customResourcesUseTheirCrdSchemaWithStandardMetadata() throws IOException {
        JsonNode crdSchema = MAPPER.readTree("""
                {"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}}
                """);
        List<ServedKind> kinds = new ArrayList<>(BuiltinKinds.all());
        kinds.add(ServedKind.custom("shop.example.com", "v1", "Widget", "widgets", true, crdSchema));
        OpenApiV3 api = OpenApiV3.build(kinds);
        JsonNode doc = doc(api, "apis/shop.example.com/v1");
        JsonNode widget = schema(doc, "com.example.shop.v1.Widget");
        assertThat(widget.at("/properties/spec/properties/size/type").asText()).isEqualTo("integer");
        assertThat(ref(widget.at("/properties/metadata"))).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(widget.at("/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo("Widget");
        assertThat(doc.path("paths").path("/apis/shop.example.com/v1/namespaces/{namespace}/widgets/{name}")
                .path("patch").path("x-kubernetes-group-version-kind").path("group").asText()).isEqualTo("shop.example.com");
        assertThat(crdSchema.at("/properties/metadata").isMissingNode()).as("input left untouched").isTrue();
        assertThat(api.hash("api/v1")).isEqualTo(BUILTIN.hash("api/v1"));
    }

    @Test
    void rejectsACustomResourceSchemaThatIsNotAnObject() {
        ServedKind bad = ServedKind.custom("x.io", "v1", "X", "xs", true, MAPPER.getNodeFactory().textNode("nope"));
        assertThatThrownBy(() -> OpenApiV3.build(List.of(bad))).isInstanceOf(ApiException.class)
                .hasMessageContaining("openAPIV3Schema of xs.x.io/v1");
    }

    @Test
    void serviceRebuildsOnlyWhenCustomResourcesChange() throws IOException {
        OpenApiService service = new OpenApiService(BuiltinKinds.all());
        OpenApiV3 first = service.current();
        service.customResourcesChanged(List.of());
        assertThat(service.current()).isSameAs(first);

        JsonNode schema = MAPPER.readTree("{\"type\":\"object\"}");
        service.customResourcesChanged(List.of(ServedKind.custom("x.io", "v1", "X", "xs", false, schema)));
        OpenApiV3 second = service.current();
        assertThat(second).isNotSameAs(first);
        assertThat(json(second.index()).path("paths").has("apis/x.io/v1")).isTrue();
        service.customResourcesChanged(List.of(ServedKind.custom("x.io", "v1", "X", "xs", false, schema.deepCopy())));
        assertThat(service.current()).isSameAs(second);

        service.customResourcesChanged(List.of(ServedKind.custom("x.io", "v1", "X", "xs", false,
                MAPPER.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"))));
        assertThat(service.current().hash("apis/x.io/v1")).isNotEqualTo(second.hash("apis/x.io/v1"));
    }
}
