package dev.berth.core.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PodInfoTest {
    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata().withNewSpec().endSpec();
    }

    @Test
    void requestsAreTheLargerOfTheContainerSumAndTheLargestInitContainerPlusOverhead() {
        Pod pod = pod().editSpec()
                .addNewContainer().withName("a").withNewResources().addToRequests("cpu", new Quantity("200m"))
                .addToRequests("memory", new Quantity("100Mi")).endResources().endContainer()
                .addNewContainer().withName("b").withNewResources().addToRequests("cpu", new Quantity("300m")).endResources().endContainer()
                .addNewInitContainer().withName("init").withNewResources().addToRequests("cpu", new Quantity("1"))
                .addToRequests("memory", new Quantity("50Mi")).endResources().endInitContainer()
                .addToOverhead("cpu", new Quantity("10m"))
                .endSpec().build();
        PodInfo info = PodInfo.of(pod);
        assertThat(info.milliCpu()).isEqualTo(1010);
        assertThat(info.memory()).isEqualTo(100L * 1024 * 1024);
    }

    @Test
    void sidecarInitContainersAddToTheAppContainers() {
        Pod pod = pod().editSpec()
                .addNewInitContainer().withName("proxy").withRestartPolicy("Always").withNewResources()
                .addToRequests("cpu", new Quantity("100m")).endResources().endInitContainer()
                .addNewInitContainer().withName("migrate").withNewResources().addToRequests("cpu", new Quantity("250m")).endResources().endInitContainer()
                .addNewContainer().withName("app").withNewResources().addToRequests("cpu", new Quantity("200m")).endResources().endContainer()
                .endSpec().build();
        // running: 200m + 100m sidecar; while migrating: 250m + 100m sidecar started before it
        assertThat(PodInfo.of(pod).milliCpu()).isEqualTo(350);
    }

    @Test
    void containersWithoutRequestsCountDefaultsOnlyForScoring() {
        Pod pod = pod().editSpec().addNewContainer().withName("a").endContainer().endSpec().build();
        PodInfo info = PodInfo.of(pod);
        assertThat(info.milliCpu()).isZero();
        assertThat(info.nonZeroMilliCpu()).isEqualTo(Resources.DEFAULT_MILLI_CPU);
        assertThat(info.nonZeroMemory()).isEqualTo(Resources.DEFAULT_MEMORY);
    }

    @Test
    void hostPortsConflictOnTheSameProtocolAndOverlappingAddress() {
        PodInfo.HostPort any = new PodInfo.HostPort("0.0.0.0", "TCP", 80);
        assertThat(any.conflictsWith(new PodInfo.HostPort("10.0.0.1", "TCP", 80))).isTrue();
        assertThat(any.conflictsWith(new PodInfo.HostPort("10.0.0.1", "UDP", 80))).isFalse();
        assertThat(new PodInfo.HostPort("10.0.0.1", "TCP", 80).conflictsWith(new PodInfo.HostPort("10.0.0.2", "TCP", 80))).isFalse();
    }
}
