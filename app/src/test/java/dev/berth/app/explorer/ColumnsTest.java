package dev.berth.app.explorer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ColumnsTest {
    @Test
    void podStatusShowsAWaitingReasonOverThePhaseAsKubectlDoes() {
        GenericKubernetesResource p = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Pod")
                .withNewMetadata().withName("p").endMetadata().build();
        p.setAdditionalProperty("spec", Map.of("containers", List.of(Map.of("name", "a"), Map.of("name", "b"))));
        p.setAdditionalProperty("status", Map.of("phase", "Running", "containerStatuses", List.of(
                Map.of("name", "a", "ready", true, "restartCount", 2, "state", Map.of("running", Map.of())),
                Map.of("name", "b", "ready", false, "restartCount", 5,
                        "state", Map.of("waiting", Map.of("reason", "CrashLoopBackOff"))))));
        assertThat(Columns.podStatus(p)).isEqualTo("CrashLoopBackOff");
        assertThat(Columns.podReady(p)).isEqualTo("1/2");
        assertThat(Columns.podRestarts(p)).isEqualTo("7");
    }

    @Test
    void ageIsPrintedLikeKubectl() {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        assertThat(Columns.age(now.minusSeconds(45).getEpochSecond(), now)).isEqualTo("45s");
        assertThat(Columns.age(now.minusSeconds(600).getEpochSecond(), now)).isEqualTo("10m");
        assertThat(Columns.age(now.minusSeconds(5 * 3600).getEpochSecond(), now)).isEqualTo("5h");
        assertThat(Columns.age(now.minusSeconds(3 * 86400).getEpochSecond(), now)).isEqualTo("3d");
        assertThat(Columns.age(0, now)).isEmpty();
    }
}
