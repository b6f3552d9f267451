package dev.berth.core.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodRankingTest {
    static Pod pod(String name, String node, String phase, Boolean readySince, String created, int restarts) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase).addNewContainerStatus().withName("c").withRestartCount(restarts)
                .endContainerStatus().endStatus();
        if (readySince != null) {
            b.editStatus().addNewCondition().withType("Ready").withStatus(readySince ? "True" : "False")
                    .withLastTransitionTime(readySince ? "2026-01-01T00:00:00Z" : null).endCondition().endStatus();
        }
        return b.build();
    }

    @Test
    void ranksUnassignedThenPendingThenUnreadyBeforeReadyPods() {
        Pod ready = pod("ready", "n1", "Running", true, "2026-01-01T00:00:00Z", 0);
        Pod unready = pod("unready", "n2", "Running", false, "2026-01-01T00:00:00Z", 0);
        Pod pending = pod("pending", "n3", "Pending", null, "2026-01-01T00:00:00Z", 0);
        Pod unassigned = pod("unassigned", null, "Pending", null, "2026-01-01T00:00:00Z", 0);

        assertThat(PodRanking.leastUseful(List.of(ready, unready, pending, unassigned), 4))
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("unassigned", "pending", "unready", "ready");
    }

    @Test
    void amongReadyPodsPrefersDeletingDoubledUpThenRestartingThenNewerOnes() {
        Pod alone = pod("alone", "n1", "Running", true, "2026-01-01T00:00:00Z", 0);
        Pod shared1 = pod("shared1", "n2", "Running", true, "2026-01-01T00:00:00Z", 0);
        Pod shared2 = pod("shared2", "n2", "Running", true, "2026-01-01T00:00:00Z", 3);
        assertThat(PodRanking.leastUseful(List.of(alone, shared1, shared2), 1))
                .extracting(p -> p.getMetadata().getName()).containsExactly("shared2");

        Pod older = pod("older", "n1", "Running", true, "2026-01-01T00:00:00Z", 0);
        Pod newer = pod("newer", "n2", "Running", true, "2026-01-02T00:00:00Z", 0);
        assertThat(PodRanking.leastUseful(List.of(older, newer), 1))
                .extracting(p -> p.getMetadata().getName()).containsExactly("newer");
    }

    @Test
    void lowerDeletionCostGoesFirst() {
        Pod cheap = new PodBuilder(pod("cheap", "n1", "Running", true, "2026-01-01T00:00:00Z", 0))
                .editMetadata().addToAnnotations(PodRanking.DELETION_COST_ANNOTATION, "-10").endMetadata().build();
        Pod dear = new PodBuilder(pod("dear", "n2", "Running", true, "2026-01-02T00:00:00Z", 5))
                .editMetadata().addToAnnotations(PodRanking.DELETION_COST_ANNOTATION, "100").endMetadata().build();
        assertThat(PodRanking.leastUseful(List.of(dear, cheap), 1))
                .extracting(p -> p.getMetadata().getName()).containsExactly("cheap");
    }

    @Test
    void slowStartStopsAtTheFirstFailingBatch() {
        int[] calls = {0};
        int ok = ReplicaSetReconciler.slowStartBatch(10, () -> ++calls[0] <= 3);
        // batches 1, 2 succeed (3 calls), batch of 4 has failures: 7 calls, 3 successes, nothing more
        assertThat(ok).isEqualTo(3);
        assertThat(calls[0]).isEqualTo(7);
        calls[0] = 0;
        assertThat(ReplicaSetReconciler.slowStartBatch(10, () -> ++calls[0] > 0)).isEqualTo(10);
        assertThat(calls[0]).isEqualTo(10);
    }
}
