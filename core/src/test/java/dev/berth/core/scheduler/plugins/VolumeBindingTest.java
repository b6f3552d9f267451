package dev.berth.core.scheduler.plugins;

import dev.berth.core.scheduler.SchedulerCache;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeBinding;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeListers;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VolumeBindingTest {
    final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    final Map<String, PersistentVolume> volumes = new HashMap<>();
    final Map<String, StorageClass> classes = new HashMap<>();
    final VolumeBinding plugin = VolumeBinding.create(new VolumeListers() {
        public PersistentVolumeClaim claim(String namespace, String name) {
            return claims.get(namespace + "/" + name);
        }

        public PersistentVolume volume(String name) {
            return volumes.get(name);
        }

        public List<PersistentVolume> volumes() {
            return new ArrayList<>(volumes.values());
        }

        public StorageClass storageClass(String name) {
            return classes.get(name);
        }
    });

    static NodeInfo node(String name) {
        return new NodeInfo(new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata().withNewSpec().endSpec().build());
    }

    static Pod pod(String claim) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata().withNewSpec()
                .addNewVolume().withName("v").withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim().endVolume()
                .endSpec().build();
    }

    void claim(String name, String className, String volumeName) {
        claims.put("ns/" + name, new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().withStorageClassName(className).withVolumeName(volumeName).withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build());
    }

    PersistentVolume localVolume(String name, String className, String node) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withStorageClassName(className).addToCapacity("storage", new Quantity("2Gi")).withAccessModes("ReadWriteOnce")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build();
    }

    Status run(Pod pod, NodeInfo node) {
        CycleState state = new CycleState();
        Status pre = plugin.preFilter(state, PodInfo.of(pod), new SchedulerCache());
        return pre.isSuccess() ? plugin.filter(state, PodInfo.of(pod), node) : pre;
    }

    @Test
    void boundLocalVolumePinsThePodToItsNode() {
        volumes.put("pv1", localVolume("pv1", "local-path", "n1"));
        claim("data", "local-path", "pv1");
        assertThat(run(pod("data"), node("n1")).isSuccess()).isTrue();
        assertThat(run(pod("data"), node("n2")).reasons()).containsExactly(VolumeBinding.ERR_REASON_NODE_CONFLICT);
    }

    @Test
    void missingAndImmediateUnboundClaimsAreRefusedEverywhere() {
        assertThat(run(pod("nope"), node("n1")).reasons()).containsExactly("persistentvolumeclaim \"nope\" not found");
        classes.put("fast", new StorageClassBuilder().withNewMetadata().withName("fast").endMetadata()
                .withProvisioner("example.com/fast").withVolumeBindingMode("Immediate").build());
        claim("later", "fast", null);
        assertThat(run(pod("later"), node("n1")).reasons()).containsExactly(VolumeBinding.ERR_REASON_UNBOUND_IMMEDIATE);
    }

    @Test
    void waitForFirstConsumerClaimsFollowAllowedTopologiesOrAvailableLocalVolumes() {
        classes.put("zonal", new StorageClassBuilder().withNewMetadata().withName("zonal").endMetadata()
                .withProvisioner("example.com/zonal").withVolumeBindingMode("WaitForFirstConsumer")
                .addToAllowedTopologies(new io.fabric8.kubernetes.api.model.TopologySelectorTermBuilder()
                        .addNewMatchLabelExpression().withKey("kubernetes.io/hostname").withValues("n2")
                        .endMatchLabelExpression().build()).build());
        claim("z", "zonal", null);
        assertThat(run(pod("z"), node("n1")).reasons()).containsExactly(VolumeBinding.ERR_REASON_BIND_CONFLICT);
        assertThat(run(pod("z"), node("n2")).isSuccess()).isTrue();

        classes.put("manual", new StorageClassBuilder().withNewMetadata().withName("manual").endMetadata()
                .withProvisioner(VolumeBinding.NO_PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").build());
        claim("m", "manual", null);
        volumes.put("local-n2", localVolume("local-n2", "manual", "n2"));
        assertThat(run(pod("m"), node("n1")).reasons()).containsExactly(VolumeBinding.ERR_REASON_BIND_CONFLICT);
        assertThat(run(pod("m"), node("n2")).isSuccess()).isTrue();
    }
}
