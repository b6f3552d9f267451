package dev.berth.app.overview;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OverviewModelTest {
    static GenericKubernetesResource obj(String kind, String name, Map<String, Object> props) {
        GenericKubernetesResource o = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind(kind)
                .withNewMetadata().withNamespace("default").withName(name).endMetadata().build();
        props.forEach(o::setAdditionalProperty);
        return o;
    }

    @Test
    void countsReadyNodesPodPhasesLaggingWorkloadsAndRecentWarnings() {
        var ready = obj("Node", "a", Map.of("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True")))));
        var down = obj("Node", "b", Map.of("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "Unknown")))));
        var running = obj("Pod", "p1", Map.of("status", Map.of("phase", "Running")));
        var failed = obj("Pod", "p2", Map.of("status", Map.of("phase", "Failed")));
        var fresh = obj("Pod", "p3", Map.of());
        var lagging = obj("Deployment", "web", Map.of("spec", Map.of("replicas", 3), "status", Map.of("availableReplicas", 1)));
        var fine = obj("Deployment", "api", Map.of("spec", Map.of("replicas", 1), "status", Map.of("availableReplicas", 1)));
        var old = obj("Event", "e1", Map.of("type", "Warning", "reason", "BackOff", "message", "restarting",
                "lastTimestamp", "2026-12-02T09:00:00Z", "involvedObject", Map.of("kind", "Pod", "name", "p2")));
        var recent = obj("Event", "e2", Map.of("type", "Warning", "reason", "FailedScheduling", "message", "0/2 nodes",
                "lastTimestamp", "2026-12-02T10:00:00Z", "involvedObject", Map.of("kind", "Pod", "name", "p3")));
        var normal = obj("Event", "e3", Map.of("type", "Normal", "reason", "Scheduled"));
        OverviewModel m = OverviewModel.compute(List.of(ready, down), List.of(running, failed, fresh), List.of(lagging, fine),
                List.of(), List.of(), List.of(old, recent, normal), 10);
        assertThat(m.nodes()).isEqualTo(2);
        assertThat(m.nodesReady()).isEqualTo(1);
        assertThat(m.nodesNotReady()).containsExactly("b");
        assertThat(m.podsByPhase()).containsEntry("Running", 1).containsEntry("Failed", 1).containsEntry("Pending", 1);
        assertThat(m.notAtDesiredState()).containsExactly("Deployment default/web: 1/3 available");
        assertThat(m.recentWarnings()).hasSize(2);
        assertThat(m.recentWarnings().getFirst()).contains("FailedScheduling").contains("pod/p3");
    }
}
