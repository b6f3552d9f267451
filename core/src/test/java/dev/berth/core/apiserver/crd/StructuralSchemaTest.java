package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StructuralSchemaTest {
    private static final StructuralSchema WIDGET = new StructuralSchema(yaml("""
            type: object
            properties:
              spec:
                type: object
                required: [size]
                properties:
                  size: {type: integer, minimum: 1, maximum: 10}
                  color: {type: string, enum: [red, green, blue], default: red}
                  name: {type: string, pattern: '^[a-z]+$', minLength: 2, maxLength: 5}
                  port: {x-kubernetes-int-or-string: true}
                  ratio: {type: number, nullable: true}
                  since: {type: string, format: date-time}
                  tags:
                    type: array
                    minItems: 1
                    maxItems: 2
                    x-kubernetes-list-type: set
                    items: {type: string}
                  parts:
                    type: array
                    items:
                      type: object
                      properties:
                        id: {type: string}
                        weight: {type: integer, default: 1}
                  labels:
                    type: object
                    additionalProperties: {type: string}
                  free:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
                  template:
                    type: object
                    x-kubernetes-embedded-resource: true
                    properties:
                      spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              status:
                type: object
                properties:
                  replicas: {type: integer}
            """));

    private static JsonNode yaml(String s) {
        try {
            return Json.YAML.readTree(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode widget(String spec) {
        ObjectNode o = (ObjectNode) yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}}\n"
                + "spec: " + spec);
        return o;
    }

    private static List<String> messages(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).toList();
    }

    @Test
    void pruningRemovesUnspecifiedFieldsAndKeepsObjectMeta() {
        ObjectNode w = widget("{size: 2, extra: 1, parts: [{id: a, junk: x}], free: {any: 1}, labels: {k: v},"
                + " template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: 1}, other: 2}}");
        w.put("topLevel", true);
        List<String> pruned = WIDGET.prune(w);
        assertThat(pruned).containsExactlyInAnyOrder("spec.extra", "spec.parts[0].junk", "spec.template.other",
                "topLevel");
        assertThat(w.path("metadata").path("labels").path("a").asText()).isEqualTo("b");
        assertThat(w.path("spec").path("free").path("any").asInt()).isEqualTo(1);
        assertThat(w.path("spec").path("labels").path("k").asText()).isEqualTo("v");
        assertThat(w.path("spec").path("template").path("metadata").path("name").asText()).isEqualTo("p");
        assertThat(w.path("spec").path("template").path("spec").path("x").asInt()).isEqualTo(1);
    }

    @Test
    void defaultsFillAbsentFieldsAtEveryDepth() {
        ObjectNode w = widget("{size: 2, parts: [{id: a}, {id: b, weight: 5}]}");
        WIDGET.applyDefaults(w);
        assertThat(w.path("spec").path("color").asText()).isEqualTo("red");
        assertThat(w.path("spec").path("parts").get(0).path("weight").asInt()).isEqualTo(1);
        assertThat(w.path("spec").path("parts").get(1).path("weight").asInt()).isEqualTo(5);
        assertThat(w.has("status")).isFalse();
    }

    @Test
    void validObjectHasNoErrors() {
        ObjectNode w = widget("{size: 3, color: green, name: abc, port: http, ratio: null, since: '2024-01-02T03:04:05Z',"
                + " tags: [a, b]}");
        assertThat(WIDGET.validate(w)).isEmpty();
        assertThat(WIDGET.validate(widget("{size: 3, port: 8080}"))).isEmpty();
    }

    @Test
    void errorsNameTheFieldTheValueAndTheRule() {
        assertThat(messages(WIDGET.validate(widget("{size: 0}"))))
                .containsExactly("spec.size: Invalid value: \"0\": spec.size in body should be greater than or equal to 1");
        assertThat(messages(WIDGET.validate(widget("{size: 11}"))))
                .containsExactly("spec.size: Invalid value: \"11\": spec.size in body should be less than or equal to 10");
        assertThat(messages(WIDGET.validate(widget("{size: big}"))))
                .containsExactly("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");
        assertThat(messages(WIDGET.validate(widget("{size: 1, color: pink}"))))
                .containsExactly("spec.color: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\"");
        assertThat(messages(WIDGET.validate(widget("{color: red}"))))
                .containsExactly("spec.size: Required value");
        assertThat(messages(WIDGET.validate(widget("{size: 1, name: A1}"))))
                .containsExactly("spec.name: Invalid value: \"A1\": spec.name in body should match '^[a-z]+$'");
        assertThat(messages(WIDGET.validate(widget("{size: 1, name: a}"))))
                .containsExactly("spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long");
        assertThat(messages(WIDGET.validate(widget("{size: 1, name: abcdef}"))))
                .containsExactly("spec.name: Too long: may not be more than 5 bytes");
        assertThat(messages(WIDGET.validate(widget("{size: 1, tags: []}"))))
                .containsExactly("spec.tags: Invalid value: \"0\": spec.tags in body should have at least 1 items");
        assertThat(messages(WIDGET.validate(widget("{size: 1, tags: [a, b, c]}"))))
                .containsExactly("spec.tags: Too many: \"3\": must have at most 2 items");
        assertThat(messages(WIDGET.validate(widget("{size: 1, tags: [a, a]}"))))
                .containsExactly("spec.tags[1]: Duplicate value: \"a\"");
        assertThat(messages(WIDGET.validate(widget("{size: 1, port: true}"))))
                .containsExactly("spec.port: Invalid value: \"true\": spec.port in body must be of type integer or string: \"boolean\"");
        assertThat(messages(WIDGET.validate(widget("{size: null}"))))
                .containsExactly("spec.size: Invalid value: \"null\": spec.size in body must be of type integer: \"null\"");
        ObjectNode defaulted = widget("{size: null, color: null, ratio: null}");
        WIDGET.applyDefaults(defaulted);
        assertThat(defaulted.path("spec").toString()).isEqualTo("{\"ratio\":null,\"color\":\"red\"}");
        assertThat(messages(WIDGET.validate(defaulted))).containsExactly("spec.size: Required value");
        assertThat(messages(WIDGET.validate(widget("{size: 1, since: yesterday}"))))
                .containsExactly("spec.since: Invalid value: \"yesterday\": spec.since in body must be of type date-time: \"yesterday\"");
        assertThat(messages(WIDGET.validate(widget("{size: 1, template: {metadata: {name: p}}}"))))
                .containsExactly("spec.template.apiVersion: Required value: must not be empty",
                        "spec.template.kind: Required value: must not be empty");
        assertThat(messages(WIDGET.validate(widget("{size: 1, labels: {k: 1}}"))))
                .containsExactly("spec.labels.k: Invalid value: \"integer\": spec.labels.k in body must be of type string: \"integer\"");
    }

    @Test
    void schemasWithoutTypesAreNotStructural() {
        JsonNode schema = yaml("""
                type: object
                properties:
                  spec:
                    properties:
                      size: {type: integer}
                      list: {type: array}
                  free: {x-kubernetes-preserve-unknown-fields: true}
                """);
        assertThat(messages(StructuralSchema.structuralErrors(schema, "spec.versions[0].schema.openAPIV3Schema")))
                .containsExactly(
                        "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified fields",
                        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items: Required value: must be specified");
        assertThat(StructuralSchema.structuralErrors(WIDGET.root(), "s")).isEmpty();
        JsonNode badDefault = yaml("""
                type: object
                properties:
                  color: {type: string, enum: [red, green], default: pink}
                """);
        assertThat(messages(StructuralSchema.structuralErrors(badDefault, "s"))).containsExactly(
                "s.properties[color].default: Unsupported value: \"pink\": supported values: \"red\", \"green\"");
    }
}
