package dev.berth.agent.status;

import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import static dev.berth.agent.status.PodStatusWriterIT.condition;
import static dev.berth.agent.status.PodStatusWriterIT.running;
import static org.assertj.core.api.Assertions.assertThat;

class PodStatusWriterTest {
    @Test
    void mergeKeepsTransitionTimesOfUnchangedConditions() {
        PodStatus api = running("True", "2026-01-01T00:00:00Z");
        PodStatus ours = running("True", "2026-02-01T00:00:00Z");

        assertThat(PodStatusWriter.merge(api, ours)).isEqualTo(api);
    }

    @Test
    void mergeTakesTheAgentsOwnConditionsAndKeepsTheOthers() {
        PodStatus api = new PodStatusBuilder(running("True", "2026-01-01T00:00:00Z"))
                .addToConditions(condition("PodScheduled", "True", "2026-01-01T00:00:00Z"))
                .withQosClass("Burstable").build();
        PodStatus ours = new PodStatusBuilder(running("False", "2026-02-01T00:00:00Z"))
                .addToConditions(condition("PodScheduled", "False", "2026-02-01T00:00:00Z")).build();

        PodStatus merged = PodStatusWriter.merge(api, ours);

        assertThat(merged.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus() + "@" + c.getLastTransitionTime())
                .containsExactlyInAnyOrder("PodScheduled=True@2026-01-01T00:00:00Z", "Initialized=True@2026-01-01T00:00:00Z",
                        "Ready=False@2026-02-01T00:00:00Z", "ContainersReady=False@2026-02-01T00:00:00Z");
        assertThat(merged.getQosClass()).isEqualTo("Burstable");
        assertThat(merged.getConditions()).extracting(PodCondition::getType).doesNotHaveDuplicates();
    }
}
