package dev.berth.core.apiserver.admission;

import dev.berth.core.api.defaulting.Defaulter;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LimitRangerTest {

    private static LimitRange range(LimitRangeItemBuilder item) {
        LimitRange lr = new LimitRangeBuilder().withNewMetadata().withName("lr").withNamespace("ns").endMetadata()
                .withNewSpec().addToLimits(item.build()).endSpec().build();
        new Defaulter().apply(lr);
        return lr;
    }

    private static Map<String, Quantity> q(String... kv) {
        Map<String, Quantity> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], new Quantity(kv[i + 1]));
        }
        return m;
    }

    private static Pod pod(Map<String, Quantity> requests, Map<String, Quantity> limits) {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("ns").endMetadata().withNewSpec()
                .addNewContainer().withName("nginx").withImage("nginx").withNewResources()
                .withRequests(requests).withLimits(limits).endResources().endContainer().endSpec().build();
    }

    @Test
    void containersWithoutResourcesGetTheDefaultsAndAnAnnotationSayingSo() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("Container")
                .withDefault(q("memory", "512Mi")).withDefaultRequest(q("memory", "256Mi")));
        Pod pod = pod(null, null);
        LimitRanger.applyDefaults(pod, List.of(lr));
        var res = pod.getSpec().getContainers().getFirst().getResources();
        assertThat(res.getLimits()).containsEntry("memory", new Quantity("512Mi"));
        assertThat(res.getRequests()).containsEntry("memory", new Quantity("256Mi"));
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("kubernetes.io/limit-ranger",
                "LimitRanger plugin set: memory request for container nginx; memory limit for container nginx");
    }

    @Test
    void statedResourcesAreKeptAndMaxBecomesTheDefault() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("Container")
                .withMax(q("cpu", "800m")).withMin(q("cpu", "200m")));
        Pod pod = pod(q("cpu", "500m"), null);
        LimitRanger.applyDefaults(pod, List.of(lr));
        var res = pod.getSpec().getContainers().getFirst().getResources();
        assertThat(res.getRequests()).containsEntry("cpu", new Quantity("500m"));
        assertThat(res.getLimits()).containsEntry("cpu", new Quantity("800m"));
    }

    @Test
    void containerMinMaxAndRatioAreCheckedWithKubernetesMessages() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("Container")
                .withMax(q("cpu", "1")).withMin(q("memory", "100Mi")).withMaxLimitRequestRatio(q("cpu", "2")));
        Pod pod = pod(q("cpu", "500m", "memory", "50Mi"), q("cpu", "2", "memory", "50Mi"));
        assertThat(LimitRanger.podErrors(lr, pod)).containsExactly(
                "minimum memory usage per Container is 100Mi, but request is 50Mi",
                "maximum cpu usage per Container is 1, but limit is 2",
                "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000");
        assertThat(LimitRanger.aggregate(LimitRanger.podErrors(lr, pod))).startsWith("[minimum memory").endsWith("4.000000]");
        assertThat(LimitRanger.podErrors(lr, pod(q("cpu", "1", "memory", "100Mi"), q("cpu", "1", "memory", "1Gi"))))
                .isEmpty();
    }

    @Test
    void missingLimitsOrRequestsAreNamed() {
        LimitRange lr = new LimitRangeBuilder().withNewMetadata().withName("lr").endMetadata().withNewSpec()
                .addNewLimit().withType("Pod").withMax(q("memory", "1Gi")).withMin(q("cpu", "100m")).endLimit()
                .endSpec().build();
        assertThat(LimitRanger.podErrors(lr, pod(null, null))).containsExactly(
                "minimum cpu usage per Pod is 100m.  No request is specified",
                "maximum memory usage per Pod is 1Gi.  No limit is specified");
    }

    @Test
    void podLimitsApplyToTheSumOfTheContainers() {
        LimitRange lr = new LimitRangeBuilder().withNewMetadata().withName("lr").endMetadata().withNewSpec()
                .addNewLimit().withType("Pod").withMax(q("cpu", "1")).endLimit().endSpec().build();
        Pod pod = new PodBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .addNewContainer().withName("a").withNewResources().withLimits(q("cpu", "600m")).endResources().endContainer()
                .addNewContainer().withName("b").withNewResources().withLimits(q("cpu", "600m")).endResources().endContainer()
                .endSpec().build();
        assertThat(LimitRanger.podErrors(lr, pod)).containsExactly("maximum cpu usage per Pod is 1, but limit is 1200m");
    }

    @Test
    void claimsAreCheckedAgainstStorageMinAndMax() {
        LimitRange lr = new LimitRangeBuilder().withNewMetadata().withName("lr").endMetadata().withNewSpec()
                .addNewLimit().withType("PersistentVolumeClaim").withMax(q("storage", "2Gi")).withMin(q("storage", "1Gi"))
                .endLimit().endSpec().build();
        var big = new PersistentVolumeClaimBuilder().withNewMetadata().withName("big").endMetadata().withNewSpec()
                .withNewResources().addToRequests("storage", new Quantity("5Gi")).endResources().endSpec().build();
        var small = new PersistentVolumeClaimBuilder().withNewMetadata().withName("small").endMetadata().withNewSpec()
                .withNewResources().addToRequests("storage", new Quantity("500Mi")).endResources().endSpec().build();
        assertThat(LimitRanger.pvcErrors(lr, big)).containsExactly(
                "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
        assertThat(LimitRanger.pvcErrors(lr, small)).containsExactly(
                "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
    }
}
