package dev.berth.app.transfer;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterExportTest {
    @Test
    void stringsThatAReaderWouldTakeForNumbersBooleansOrNullAreQuotedAndReadBackAsStrings() throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        List<String> tricky = List.of("1", "-5", "1e3", "1.5", ".5", "012", "0x1F", "0o17", "1:20", ".inf", "-.inf", ".nan",
                "1_000", "true", "yes", "no", "on", "off", "null", "~", "", "plain text", "web-1");
        for (int i = 0; i < tricky.size(); i++) {
            data.put("k" + i, tricky.get(i));
        }
        String yaml = ClusterExport.yamlMapper().writeValueAsString(Map.of("data", data));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) new YAMLMapper().readValue(yaml, Map.class).get("data");
        assertThat(back).isEqualTo(data);
        assertThat(yaml).contains("plain text").contains("k22: web-1");   // not quoted where it needs none
    }

    @Test
    void cleaningTakesOutWhatTheServerManagesAndKeepsWhatThePersonWrote() {
        GenericKubernetesResource svc = Serialization.unmarshal("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: shop
                  uid: 5f0c
                  resourceVersion: "42"
                  generation: 3
                  creationTimestamp: "2026-12-02T15:00:00Z"
                  managedFields: [{manager: kubectl}]
                  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: x, uid: 9a}]
                  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", team: web}
                spec: {clusterIP: 10.43.0.7, clusterIPs: [10.43.0.7], selector: {app: web}, ports: [{port: 80}]}
                status: {loadBalancer: {}}
                """, GenericKubernetesResource.class);
        ResourceDefinitionContext rd = new ResourceDefinitionContext.Builder().withGroup("").withVersion("v1")
                .withPlural("services").withKind("Service").withNamespaced(true).build();
        Map<String, Object> clean = ClusterExport.clean(rd, svc);
        assertThat(clean).containsOnlyKeys("apiVersion", "kind", "metadata", "spec");
        assertThat(clean.get("metadata")).isEqualTo(Map.of("name", "web", "namespace", "shop", "annotations", Map.of("team", "web")));
        assertThat(clean.get("spec")).isEqualTo(Map.of("selector", Map.of("app", "web"), "ports", List.of(Map.of("port", 80))));
        assertThat(ClusterExport.exportable(rd, svc, Map.of())).isTrue();
    }
}
