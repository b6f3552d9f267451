package dev.berth.core.controller.resourcequota;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.testing.Corpus;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The quota and limit range examples of the Kubernetes documentation (admin/resource in the
 * corpus) behave as their pages describe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaExamplesIT {
    @TempDir
    static Path dir;

    private TestCluster cluster;
    private KubernetesClient client;
    private Informers informers;
    private ResourceQuotas quotas;
    private Kubectl kubectl;

    @BeforeAll
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        informers = new Informers(client);
        quotas = new ResourceQuotas(new ControllerContext(client, informers, Clock.systemUTC(), EventRecorder.NONE));
        quotas.start();
        informers.start();
        await().atMost(Duration.ofSeconds(20)).until(quotas::isReady);
        kubectl = new Kubectl(cluster.kubeconfig(), Files.createDirectories(dir.resolve("home")));
    }

    @AfterAll
    void stop() {
        if (quotas != null) quotas.close();
        if (informers != null) informers.close();
        if (cluster != null) cluster.close();
    }

    private void apply(String ns, String example) {
        cluster.createNamespace(ns);
        kubectl.run("apply", "-n", ns, "-f", Corpus.examples().resolve(example).toString()).ok();
    }

    private static Map<String, Quantity> q(String... kv) {
        Map<String, Quantity> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], new Quantity(kv[i + 1]));
        }
        return m;
    }

    private static Pod pod(String name, Map<String, Quantity> requests, Map<String, Quantity> limits) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("nginx").withNewResources()
                .withRequests(requests).withLimits(limits).endResources().endContainer().endSpec().build();
    }

    private static String refusal(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(403);
            return e.getStatus().getMessage();
        }
        throw new AssertionError("admitted");
    }

    private Map<String, String> used(String ns, String name) {
        var status = client.resourceQuotas().inNamespace(ns).withName(name).get().getStatus();
        Map<String, String> out = new TreeMap<>();
        if (status != null && status.getUsed() != null) {
            status.getUsed().forEach((k, v) -> out.put(k, v.toString()));
        }
        return out;
    }

    @Test
    void cpuConstraintsAdmitPodsBetweenMinAndMaxAndDefaultToTheMax() {
        String ns = "constraints-cpu-example";
        apply(ns, "admin/resource/cpu-constraints.yaml");
        var item = client.limitRanges().inNamespace(ns).withName("cpu-min-max-demo-lr").get().getSpec().getLimits().getFirst();
        assertThat(item.getDefault()).containsEntry("cpu", new Quantity("800m"));
        assertThat(item.getDefaultRequest()).containsEntry("cpu", new Quantity("800m"));

        client.pods().inNamespace(ns).resource(pod("constraints-cpu-demo", q("cpu", "500m"), q("cpu", "800m"))).create();
        assertThat(refusal(() -> client.pods().inNamespace(ns)
                .resource(pod("constraints-cpu-demo-2", q("cpu", "500m"), q("cpu", "1.5"))).create()))
                .isEqualTo("pods \"constraints-cpu-demo-2\" is forbidden: maximum cpu usage per Container is 800m, "
                        + "but limit is 1500m");
        assertThat(refusal(() -> client.pods().inNamespace(ns)
                .resource(pod("constraints-cpu-demo-3", q("cpu", "100m"), q("cpu", "800m"))).create()))
                .isEqualTo("pods \"constraints-cpu-demo-3\" is forbidden: minimum cpu usage per Container is 200m, "
                        + "but request is 100m");
        Pod defaulted = client.pods().inNamespace(ns).resource(pod("constraints-cpu-demo-4", null, null)).create();
        var res = defaulted.getSpec().getContainers().getFirst().getResources();
        assertThat(res.getRequests()).containsEntry("cpu", new Quantity("800m"));
        assertThat(res.getLimits()).containsEntry("cpu", new Quantity("800m"));
    }

    @Test
    void memoryDefaultsFillWhatAContainerLeavesOut() {
        String ns = "default-mem-example";
        apply(ns, "admin/resource/memory-defaults.yaml");
        var none = client.pods().inNamespace(ns).resource(pod("default-mem-demo", null, null)).create()
                .getSpec().getContainers().getFirst().getResources();
        assertThat(none.getRequests()).isEqualTo(q("memory", "256Mi"));
        assertThat(none.getLimits()).isEqualTo(q("memory", "512Mi"));

        var limitOnly = client.pods().inNamespace(ns).resource(pod("default-mem-demo-2", null, q("memory", "1Gi"))).create()
                .getSpec().getContainers().getFirst().getResources();
        assertThat(limitOnly.getRequests()).isEqualTo(q("memory", "1Gi"));
        assertThat(limitOnly.getLimits()).isEqualTo(q("memory", "1Gi"));

        var requestOnly = client.pods().inNamespace(ns).resource(pod("default-mem-demo-3", q("memory", "128Mi"), null))
                .create().getSpec().getContainers().getFirst().getResources();
        assertThat(requestOnly.getRequests()).isEqualTo(q("memory", "128Mi"));
        assertThat(requestOnly.getLimits()).isEqualTo(q("memory", "512Mi"));
    }

    @Test
    void memoryAndCpuQuotaAdmitsTheFirstPodAndRefusesTheSecond() {
        String ns = "quota-mem-cpu-example";
        apply(ns, "admin/resource/quota-mem-cpu.yaml");
        await().atMost(Duration.ofSeconds(20)).until(() -> used(ns, "mem-cpu-demo").size() == 4);

        client.pods().inNamespace(ns).resource(pod("quota-mem-cpu-demo", q("memory", "600Mi", "cpu", "400m"),
                q("memory", "800Mi", "cpu", "800m"))).create();
        assertThat(used(ns, "mem-cpu-demo")).isEqualTo(Map.of("limits.cpu", "800m", "limits.memory", "800Mi",
                "requests.cpu", "400m", "requests.memory", "600Mi"));
        assertThat(refusal(() -> client.pods().inNamespace(ns).resource(pod("quota-mem-cpu-demo-2",
                q("memory", "700Mi", "cpu", "400m"), q("memory", "1Gi", "cpu", "800m"))).create()))
                .isEqualTo("pods \"quota-mem-cpu-demo-2\" is forbidden: exceeded quota: mem-cpu-demo, "
                        + "requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi");
    }

    @Test
    void objectQuotaAllowsOneClaimAndNoNodePorts() {
        String ns = "quota-object-example";
        apply(ns, "admin/resource/quota-objects.yaml");
        await().atMost(Duration.ofSeconds(20)).until(() -> used(ns, "object-quota-demo").size() == 3);

        client.persistentVolumeClaims().inNamespace(ns).resource(claim("pvc-quota-demo", "3Gi")).create();
        assertThat(refusal(() -> client.persistentVolumeClaims().inNamespace(ns)
                .resource(claim("pvc-quota-demo-2", "4Gi")).create()))
                .isEqualTo("persistentvolumeclaims \"pvc-quota-demo-2\" is forbidden: exceeded quota: object-quota-demo, "
                        + "requested: persistentvolumeclaims=1, used: persistentvolumeclaims=1, limited: persistentvolumeclaims=1");
        assertThat(refusal(() -> client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withName("np").endMetadata().withNewSpec().withType("NodePort")
                .addNewPort().withPort(80).endPort().endSpec().build()).create()))
                .isEqualTo("services \"np\" is forbidden: exceeded quota: object-quota-demo, "
                        + "requested: services.nodeports=1, used: services.nodeports=0, limited: services.nodeports=0");
        assertThat(used(ns, "object-quota-demo")).isEqualTo(Map.of("persistentvolumeclaims", "1",
                "services.loadbalancers", "0", "services.nodeports", "0"));
    }

    @Test
    void storageLimitsBoundTheSizeOfClaims() {
        String ns = "storage-limits-example";
        apply(ns, "admin/resource/storagelimits.yaml");
        assertThat(refusal(() -> client.persistentVolumeClaims().inNamespace(ns).resource(claim("big", "5Gi")).create()))
                .isEqualTo("persistentvolumeclaims \"big\" is forbidden: "
                        + "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
        assertThat(refusal(() -> client.persistentVolumeClaims().inNamespace(ns).resource(claim("small", "500Mi")).create()))
                .isEqualTo("persistentvolumeclaims \"small\" is forbidden: "
                        + "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
        client.persistentVolumeClaims().inNamespace(ns).resource(claim("fits", "1Gi")).create();
    }

    @Test
    void aPriorityClassQuotaWithoutLimitsAdmitsEverything() {
        String ns = "priority-quota-example";
        apply(ns, "policy/priority-class-resourcequota.yaml");
        Pod p = pod("critical", null, null);
        client.pods().inNamespace(ns).resource(p).create();
        assertThat(client.pods().inNamespace(ns).withName("critical").get()).isNotNull();
    }

    private static io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim(String name, String size) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withStorageClassName("manual").withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
    }
}
