package dev.berth.core.apiserver.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelectableFieldsTest {

    static Stream<Arguments> objects() {
        return Stream.of(
                Arguments.of("core/pods", """
                        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop",
                         "labels":{"app":"web","tier":"front"},"annotations":{"a":"b"}},
                         "spec":{"nodeName":"n1","restartPolicy":"Always","hostNetwork":true,
                          "containers":[{"name":"c","image":"i","env":[{"name":"spec","value":"x"}]}],
                          "nodeSelector":{"spec.nodeName":"not this"}},
                         "status":{"phase":"Running","podIP":"10.42.0.7","conditions":[{"type":"Ready"}]}}"""),
                Arguments.of("core/pods", """
                        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending","namespace":"shop"},
                         "spec":{"containers":[]},"status":{"phase":null}}"""),
                Arguments.of("core/pods", """
                        {"kind":"Pod","metadata":{"name":"odd","namespace":"shop","labels":{"n":7,"b":false,"o":{"x":1}}},
                         "spec":{"nodeName":{"nested":"object"},"hostNetwork":null,"schedulerName":12},"status":"weird"}"""),
                Arguments.of("core/events", """
                        {"kind":"Event","metadata":{"name":"e.1","namespace":"default"},
                         "involvedObject":{"kind":"Pod","namespace":"default","name":"web-1","uid":"u-1",
                          "apiVersion":"v1","resourceVersion":"42","fieldPath":"spec.containers{c}"},
                         "reason":"Started","reportingComponent":"kubelet","source":{"component":"kubelet","host":"n1"},
                         "type":"Normal"}"""),
                Arguments.of("core/events", """
                        {"kind":"Event","metadata":{"name":"e.2","namespace":"default"},"involvedObject":{},
                         "reportingComponent":"berth-scheduler","type":"Warning"}"""),
                Arguments.of("core/nodes", """
                        {"kind":"Node","metadata":{"name":"n1","labels":{"kubernetes.io/hostname":"n1"}},
                         "spec":{"unschedulable":true,"podCIDR":"10.42.1.0/24"}}"""),
                Arguments.of("core/nodes", """
                        {"kind":"Node","metadata":{"name":"n2"},"spec":{}}"""),
                Arguments.of("apps/replicasets", """
                        {"kind":"ReplicaSet","metadata":{"name":"rs","namespace":"a","labels":{}},
                         "status":{"replicas":3,"readyReplicas":2}}"""),
                Arguments.of("core/secrets", """
                        {"kind":"Secret","metadata":{"name":"s","namespace":"a"},"type":"Opaque","data":{"type":"eA=="}}"""),
                Arguments.of("core/configmaps", """
                        {"kind":"ConfigMap","metadata":{"namespace":"a","name":"cm","labels":{"x":"1"}},
                         "data":{"metadata.name":"not the name"}}"""),
                Arguments.of("core/configmaps", """
                        {"kind":"ConfigMap","metadata":{"name":"first","labels":{"x":"1"}},"metadata":{"name":"second"}}"""));
    }

    @ParameterizedTest
    @MethodSource("objects")
    void theStreamingScanReadsWhatTheTreeGives(String storage, String json) throws Exception {
        JsonNode tree = Json.parse(json.getBytes(StandardCharsets.UTF_8));
        JsonNode meta = tree.path("metadata");
        Map<String, String> labels = new HashMap<>();
        meta.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));

        SelectableFields.Scanned scanned = SelectableFields.scan(storage, json.getBytes(StandardCharsets.UTF_8));

        assertThat(scanned).isNotNull();
        assertThat(scanned.name()).isEqualTo(meta.path("name").asText(""));
        assertThat(scanned.namespace()).isEqualTo(meta.path("namespace").asText(""));
        assertThat(scanned.labels()).isEqualTo(labels);
        assertThat(scanned.fields()).isEqualTo(SelectableFields.extract(storage, tree));
    }

    @Test
    void readsTheSelectableFieldsOfAPod() throws Exception {
        SelectableFields.Scanned pod = SelectableFields.scan("core/pods", """
                {"metadata":{"name":"p","namespace":"n","labels":{"app":"web"}},
                 "spec":{"nodeName":"node-1"},"status":{"phase":"Running"}}""".getBytes(StandardCharsets.UTF_8));

        assertThat(pod.fields()).containsEntry("spec.nodeName", "node-1").containsEntry("status.phase", "Running")
                .containsEntry("spec.hostNetwork", "false").containsEntry("status.podIP", "")
                .containsEntry("metadata.name", "p").containsEntry("metadata.namespace", "n");
        assertThat(pod.labels()).containsExactlyEntriesOf(Map.of("app", "web"));
    }

    @Test
    void valuesWithoutMetadataAreNotObjects() throws Exception {
        assertThat(SelectableFields.scan("core/pods", "{\"next\":12}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(SelectableFields.scan("core/pods", "[1,2]".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void malformedJsonIsAnError() {
        assertThatThrownBy(() -> SelectableFields.scan("core/pods",
                "{\"metadata\":{\"name\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(java.io.IOException.class);
    }
}
