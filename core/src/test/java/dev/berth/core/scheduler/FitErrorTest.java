package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.Status;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FitErrorTest {
    @Test
    void sumsReasonsOverNodesSortedAsKubernetesSortsThem() {
        Map<String, Status> statuses = new LinkedHashMap<>();
        statuses.put("a", Status.unschedulable("NodeResourcesFit", "Insufficient memory"));
        statuses.put("b", Status.unresolvable("TaintToleration", "node(s) had untolerated taint {node-role: x}"));
        statuses.put("c", Status.unschedulable("NodeResourcesFit", "Insufficient cpu", "Insufficient memory"));
        FitError error = new FitError(3, statuses, null, null);
        assertThat(error.message()).isEqualTo("0/3 nodes are available: 1 Insufficient cpu, "
                + "1 node(s) had untolerated taint {node-role: x}, 2 Insufficient memory.");
        assertThat(error.withPostFilterMessage("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.").message())
                .endsWith("2 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..");
    }

    @Test
    void aPreFilterRejectionIsReportedOnceInsteadOfPerNode() {
        Status s = Status.unresolvable("VolumeBinding", "persistentvolumeclaim \"data\" not found");
        FitError error = new FitError(2, Map.of("a", s, "b", s), s.message(), null);
        assertThat(error.message()).isEqualTo("0/2 nodes are available: persistentvolumeclaim \"data\" not found.");
    }

    @Test
    void feasibleNodesToFindFollowKubeSchedulersAdaptivePercentage() {
        assertThat(Scheduler.numFeasibleNodesToFind(50)).isEqualTo(50);
        assertThat(Scheduler.numFeasibleNodesToFind(200)).isEqualTo(100);
        assertThat(Scheduler.numFeasibleNodesToFind(1000)).isEqualTo(420);
        assertThat(Scheduler.numFeasibleNodesToFind(5000)).isEqualTo(500);
    }
}
