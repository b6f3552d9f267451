package dev.berth.core.api.quota;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmountTest {

    private static String sum(String... qs) {
        Amount a = Amount.ZERO;
        for (String q : qs) {
            a = a.plus(Amount.parse(q));
        }
        return a.toString();
    }

    @Test
    void printsQuantitiesInKubernetesCanonicalForm() {
        assertThat(Amount.parse("500m")).hasToString("500m");
        assertThat(Amount.parse("1.5")).hasToString("1500m");
        assertThat(Amount.parse("2000m")).hasToString("2");
        assertThat(Amount.parse("1000")).hasToString("1k");
        assertThat(Amount.parse("1Gi")).hasToString("1Gi");
        assertThat(Amount.parse("1024Mi")).hasToString("1Gi");
        assertThat(Amount.parse("0.5Gi")).hasToString("512Mi");
        assertThat(Amount.parse("100M")).hasToString("100M");
        assertThat(Amount.parse("128974848")).hasToString("128974848");
        assertThat(Amount.parse("1e3")).hasToString("1e3");
        assertThat(Amount.parse("0")).hasToString("0");
        assertThat(Amount.parse("0.1m")).hasToString("100u");
    }

    @Test
    void sumsKeepTheFormatOfTheFirstNonZeroTerm() {
        assertThat(sum("500m", "1")).isEqualTo("1500m");
        assertThat(sum("1", "500m", "500m")).isEqualTo("2");
        assertThat(sum("1Gi", "512Mi")).isEqualTo("1536Mi");
        assertThat(sum("600Mi", "700Mi")).isEqualTo("1300Mi");
        assertThat(sum("100M", "1Gi")).isEqualTo("1173741824");
        assertThat(Amount.parse("1Gi").minus(Amount.parse("1Gi"))).hasToString("0");
    }

    @Test
    void comparesValuesAcrossFormats() {
        assertThat(Amount.parse("1").sameValue(Amount.parse("1000m"))).isTrue();
        assertThat(Amount.parse("1Ki").compareTo(Amount.parse("1k"))).isPositive();
        assertThat(Amount.parse("250m").milliValue()).isEqualTo(250);
        assertThat(Amount.parse("0.1m").milliValue()).isEqualTo(1);
    }

    @Test
    void refusesWhatIsNoQuantity() {
        assertThatThrownBy(() -> Amount.of(new Quantity("lots"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lots");
    }

    @Test
    void listsAddMaskAndReportWhatExceedsTheLimits() {
        var used = ResourceLists.of(Map.of("requests.cpu", new Quantity("1500m"), "pods", new Quantity("3")));
        var hard = ResourceLists.of(Map.of("requests.cpu", new Quantity("2"), "pods", new Quantity("5")));
        var requested = ResourceLists.of(Map.of("requests.cpu", new Quantity("500m"), "pods", new Quantity("1")));
        var next = ResourceLists.add(used, requested);
        assertThat(ResourceLists.exceeded(next, hard)).isEmpty();
        next = ResourceLists.add(next, requested);
        assertThat(ResourceLists.exceeded(next, hard)).containsExactly("requests.cpu");
        assertThat(ResourceLists.prettyPrint(next)).isEqualTo("pods=5,requests.cpu=2500m");
        assertThat(ResourceLists.prettyPrint(ResourceLists.mask(next, java.util.List.of("pods")))).isEqualTo("pods=5");
    }

    @Test
    void podUsageSumsContainersAndTakesTheLargestInitContainer() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .addToContainers(container("a", "250m", "64Mi", "500m", "128Mi"))
                .addToContainers(container("b", "250m", "64Mi", "1", "128Mi"))
                .addToInitContainers(container("init", "1", "32Mi", "1", "32Mi"))
                .endSpec().build();
        var usage = QuotaEvaluation.usage("", "pods", pod, Instant.EPOCH);
        assertThat(ResourceLists.prettyPrint(usage)).isEqualTo("count/pods=1,cpu=1,limits.cpu=1500m,limits.memory=256Mi,"
                + "memory=128Mi,pods=1,requests.cpu=1,requests.memory=128Mi");
    }

    @Test
    void finishedPodsCountOnlyAsObjects() {
        Pod pod = new PodBuilder().withNewMetadata().withName("job").endMetadata().withNewSpec()
                .addToContainers(container("a", "250m", "64Mi", "500m", "128Mi")).endSpec()
                .withNewStatus().withPhase("Succeeded").endStatus().build();
        assertThat(QuotaEvaluation.usage("", "pods", pod, Instant.EPOCH)).containsOnlyKeys("count/pods");
    }

    @Test
    void nodePortAndLoadBalancerServicesCountTheirPorts() {
        var svc = new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("lb").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().addNewPort().withPort(443).endPort()
                .endSpec().build();
        assertThat(ResourceLists.prettyPrint(QuotaEvaluation.usage("", "services", svc, Instant.EPOCH)))
                .isEqualTo("count/services=1,services=1,services.loadbalancers=1,services.nodeports=2");
    }

    @Test
    void claimsCountStoragePerStorageClass() {
        var pvc = new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                .endMetadata().withNewSpec().withStorageClassName("gold").withNewResources()
                .addToRequests("storage", new Quantity("5Gi")).endResources().endSpec().build();
        assertThat(ResourceLists.prettyPrint(QuotaEvaluation.usage("", "persistentvolumeclaims", pvc, Instant.EPOCH)))
                .isEqualTo("count/persistentvolumeclaims=1,gold.storageclass.storage.k8s.io/persistentvolumeclaims=1,"
                        + "gold.storageclass.storage.k8s.io/requests.storage=5Gi,persistentvolumeclaims=1,requests.storage=5Gi");
        assertThat(QuotaEvaluation.matchingResources("", "persistentvolumeclaims",
                java.util.List.of("gold.storageclass.storage.k8s.io/requests.storage", "pods", "requests.storage")))
                .containsExactly("gold.storageclass.storage.k8s.io/requests.storage", "requests.storage");
        assertThat(QuotaEvaluation.matchingResources("apps", "deployments", java.util.List.of("count/deployments.apps", "pods")))
                .containsExactly("count/deployments.apps");
    }

    @Test
    void computeQuotasRequireEveryContainerToStateWhatTheyCount() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .addNewContainer().withName("c1").endContainer()
                .addNewContainer().withName("c2").withNewResources().addToRequests("cpu", new Quantity("1")).endResources()
                .endContainer().endSpec().build();
        assertThat(QuotaEvaluation.podConstraintsError(pod, java.util.List.of("limits.cpu", "requests.cpu", "pods")))
                .isEqualTo("must specify limits.cpu for: c1,c2; requests.cpu for: c1");
        assertThat(QuotaEvaluation.podConstraintsError(pod, java.util.List.of("pods"))).isNull();
    }

    private static io.fabric8.kubernetes.api.model.Container container(String name, String cpu, String mem, String cpuLimit,
                                                                       String memLimit) {
        return new ContainerBuilder().withName(name).withImage("busybox").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(mem))
                .addToLimits("cpu", new Quantity(cpuLimit)).addToLimits("memory", new Quantity(memLimit))
                .endResources().build();
    }
}
