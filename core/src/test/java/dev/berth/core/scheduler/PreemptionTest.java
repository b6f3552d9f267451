package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeListers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PreemptionTest {
    static final VolumeListers NO_VOLUMES = new VolumeListers() {
        public PersistentVolumeClaim claim(String namespace, String name) {
            return null;
        }

        public PersistentVolume volume(String name) {
            return null;
        }

        public List<PersistentVolume> volumes() {
            return List.of();
        }

        public StorageClass storageClass(String name) {
            return null;
        }
    };

    final Framework framework = Framework.defaults(NO_VOLUMES);
    final Preemption preemption = new Preemption(framework);
    SchedulerCache cache;

    static Pod pod(String name, String cpu, int priority) {
        return new PodBuilder(Nodes.pod("ns", name, cpu, null).build()).editSpec().withPriority(priority).endSpec().build();
    }

    void place(Pod pod, String node) {
        cache.addOrUpdatePod(new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build());
    }

    @BeforeEach
    void cluster() {
        cache = new SchedulerCache();
        cache.addOrUpdateNode(Nodes.node("n1", "2", "4Gi", 110).build());
        cache.addOrUpdateNode(Nodes.node("n2", "2", "4Gi", 110).build());
    }

    Preemption.Result preempt(Pod pod) {
        PodInfo info = PodInfo.of(pod);
        CycleState state = new CycleState();
        assertThat(framework.runPreFilter(state, info, cache).isSuccess()).isTrue();
        Map<String, Status> statuses = new HashMap<>();
        for (var node : cache.nodes()) {
            Status s = framework.runFilters(state, info, node);
            assertThat(s.isSuccess()).as("the pod fits nowhere").isFalse();
            statuses.put(node.name(), s);
        }
        return preemption.preempt(state, info, cache, statuses);
    }

    @Test
    void evictsTheFewestAndLeastImportantPodsThatMakeRoom() {
        place(pod("n1-low-a", "900m", 1), "n1");
        place(pod("n1-low-b", "900m", 1), "n1");
        place(pod("n2-mid", "1500m", 5), "n2");
        place(pod("n2-low", "400m", 1), "n2");
        Preemption.Result r = preempt(pod("urgent", "1", 10));
        assertThat(r.candidate()).isNotNull();
        // n1 needs one victim of priority 1; n2 would need the priority-5 pod
        assertThat(r.candidate().node()).isEqualTo("n1");
        assertThat(r.candidate().victims()).hasSize(1);
        assertThat(r.candidate().victims().getFirst().priority()).isEqualTo(1);
    }

    @Test
    void podsOfEqualOrHigherPriorityAreNeverVictims() {
        place(pod("a", "1900m", 10), "n1");
        place(pod("b", "1900m", 20), "n2");
        Preemption.Result r = preempt(pod("urgent", "1", 10));
        assertThat(r.candidate()).isNull();
        assertThat(r.message()).isEqualTo("preemption: 0/2 nodes are available: 2 " + Preemption.NO_VICTIMS + ".");
        assertThat(r.clearNomination()).isTrue();
    }

    @Test
    void preemptionPolicyNeverIsRespected() {
        place(pod("a", "1900m", 0), "n1");
        place(pod("b", "1900m", 0), "n2");
        Pod polite = new PodBuilder(pod("polite", "1", 10)).editSpec().withPreemptionPolicy("Never").endSpec().build();
        assertThat(preempt(polite).message()).isEqualTo("preemption: " + Preemption.POLICY_NEVER);
        assertThat(preempt(polite).clearNomination()).isFalse();
    }

    @Test
    void nodesRejectedForUnresolvableReasonsAreNotHelpful() {
        cache.addOrUpdateNode(Nodes.node("n1", "2", "4Gi", 110).editSpec().withUnschedulable(true).endSpec().build());
        place(pod("b", "1900m", 0), "n2");
        Preemption.Result r = preempt(pod("urgent", "1", 10));
        assertThat(r.candidate().node()).isEqualTo("n2");
        cache.addOrUpdateNode(Nodes.node("n2", "2", "4Gi", 110).editSpec().withUnschedulable(true).endSpec().build());
        assertThat(preempt(pod("urgent", "1", 10)).message())
                .isEqualTo("preemption: 0/2 nodes are available: 2 " + Preemption.NOT_HELPFUL + ".");
    }
}
