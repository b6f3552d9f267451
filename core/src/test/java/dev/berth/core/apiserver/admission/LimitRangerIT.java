package dev.berth.core.apiserver.admission;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitRangerIT {
    /** A namespace of its own for each test; one server for them all. */
    private String ns;
    private int tests;

    @TempDir
    static Path dir;

    private TestCluster cluster;
    private KubernetesClient client;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
    }

    @BeforeEach
    void createNamespaceWithLimits() {
        ns = "limits-" + ++tests;
        cluster.createNamespace(ns);
        client.limitRanges().inNamespace(ns).resource(new LimitRangeBuilder()
                .withNewMetadata().withName("limits").endMetadata().withNewSpec()
                .addNewLimit().withType("Container")
                .withMax(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .withMin(Map.of("memory", new Quantity("100Mi")))
                .withDefault(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")))
                .withDefaultRequest(Map.of("cpu", new Quantity("250m")))
                .withMaxLimitRequestRatio(Map.of("cpu", new Quantity("2")))
                .endLimit()
                .addNewLimit().withType("PersistentVolumeClaim")
                .withMax(Map.of("storage", new Quantity("2Gi"))).endLimit()
                .endSpec().build()).create();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Pod pod(String name, Map<String, Quantity> requests, Map<String, Quantity> limits) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx").withNewResources()
                .withRequests(requests).withLimits(limits).endResources().endContainer().endSpec().build();
    }

    private String refusal(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
            return e.getStatus().getMessage();
        }
        throw new AssertionError("admitted");
    }

    @Test
    void aPodWithoutResourcesGetsTheDefaults() {
        Pod created = client.pods().inNamespace(ns).resource(pod("plain", null, null)).create();

        var res = created.getSpec().getContainers().getFirst().getResources();
        assertThat(res.getLimits()).containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("512Mi"));
        // defaultRequest memory is unset, so it defaults to the default limit
        assertThat(res.getRequests()).containsEntry("cpu", new Quantity("250m")).containsEntry("memory", new Quantity("512Mi"));
        assertThat(created.getMetadata().getAnnotations()).containsEntry("kubernetes.io/limit-ranger",
                "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app");
        assertThat(created.getStatus().getQosClass()).isEqualTo("Burstable");
        // the LimitRange as stored carries Kubernetes' defaults
        var item = client.limitRanges().inNamespace(ns).withName("limits").get().getSpec().getLimits().getFirst();
        assertThat(item.getDefaultRequest()).containsEntry("memory", new Quantity("512Mi"));
    }

    @Test
    void aLimitAboveTheMaximumIsRefusedWithKubernetesMessage() {
        String message = refusal(() -> client.pods().inNamespace(ns)
                .resource(pod("web", Map.of("cpu", new Quantity("1")), Map.of("cpu", new Quantity("2")))).create());
        assertThat(message).isEqualTo("pods \"web\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
        assertThat(client.pods().inNamespace(ns).withName("web").get()).isNull();
    }

    @Test
    void severalBrokenRulesAreReportedTogether() {
        String message = refusal(() -> client.pods().inNamespace(ns)
                .resource(pod("web", Map.of("cpu", new Quantity("250m"), "memory", new Quantity("50Mi")),
                        Map.of("cpu", new Quantity("1")))).create());
        assertThat(message).isEqualTo("pods \"web\" is forbidden: [minimum memory usage per Container is 100Mi, "
                + "but request is 50Mi, cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000]");
    }

    @Test
    void aClaimAboveTheMaximumIsRefused() {
        String message = refusal(() -> client.persistentVolumeClaims().inNamespace(ns).resource(
                new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").endMetadata().withNewSpec()
                        .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("5Gi"))
                        .endResources().endSpec().build()).create());
        assertThat(message).isEqualTo("persistentvolumeclaims \"data\" is forbidden: "
                + "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
    }

    @Test
    void kubectlDescribeLimitsShowsTheFigures() throws Exception {
        Path home = Files.createDirectories(dir.resolve("kubectl-home"));
        Kubectl.Result r = new Kubectl(cluster.kubeconfig(), home).run("describe", "limits", "limits", "-n", ns).ok();
        assertThat(r.out()).containsPattern("Container\\s+cpu\\s+-\\s+1\\s+250m\\s+500m\\s+2")
                .containsPattern("Container\\s+memory\\s+100Mi\\s+1Gi\\s+512Mi\\s+512Mi\\s+-")
                .containsPattern("PersistentVolumeClaim\\s+storage\\s+-\\s+2Gi");
    }
}
