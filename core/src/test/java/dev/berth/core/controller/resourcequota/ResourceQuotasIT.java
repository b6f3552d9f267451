package dev.berth.core.controller.resourcequota;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResourceQuotasIT {
    @TempDir
    static Path dir;

    /** A namespace of its own for each test; one server and one controller for them all. */
    private String ns;
    private int tests;

    private TestCluster cluster;
    private KubernetesClient client;
    private Informers informers;
    private ResourceQuotas quotas;
    private final FakeClock clock = new FakeClock(Instant.now());

    @BeforeAll
    void startServer() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
    }

    @BeforeEach
    void createNamespace() {
        ns = "quota-" + ++tests;
        cluster.createNamespace(ns);
    }

    private void startController() {
        if (quotas != null) {
            return;
        }
        informers = new Informers(client);
        quotas = new ResourceQuotas(new ControllerContext(client, informers, clock, EventRecorder.NONE));
        quotas.start();
        informers.start();
        await().atMost(Duration.ofSeconds(20)).until(quotas::isReady);
    }

    @AfterAll
    void stop() {
        if (quotas != null) {
            quotas.close();
        }
        if (informers != null) {
            informers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ResourceQuota quota(String name, String... hard) {
        Map<String, Quantity> h = new LinkedHashMap<>();
        for (int i = 0; i < hard.length; i += 2) {
            h.put(hard[i], new Quantity(hard[i + 1]));
        }
        return client.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec().withHard(h).endSpec().build()).create();
    }

    private Map<String, String> used(String name) {
        ResourceQuota q = client.resourceQuotas().inNamespace(ns).withName(name).get();
        Map<String, String> out = new java.util.TreeMap<>();
        if (q.getStatus() != null && q.getStatus().getUsed() != null) {
            q.getStatus().getUsed().forEach((k, v) -> out.put(k, v.toString()));
        }
        return out;
    }

    private void awaitUsed(String name, Map<String, String> expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(used(name)).isEqualTo(expected));
    }

    private Pod pod(String name, String cpu, String cpuLimit) {
        var c = new ContainerBuilder().withName("c").withImage("busybox:1.36").withNewResources();
        if (cpu != null) {
            c.addToRequests("cpu", new Quantity(cpu));
        }
        if (cpuLimit != null) {
            c.addToLimits("cpu", new Quantity(cpuLimit));
        }
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToContainers(c.endResources().build()).endSpec().build();
    }

    private Pod create(Pod pod) {
        return client.pods().inNamespace(ns).resource(pod).create();
    }

    private String refusal(Pod pod) {
        try {
            create(pod);
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
            return e.getStatus().getMessage();
        }
        throw new AssertionError("pod " + pod.getMetadata().getName() + " was admitted");
    }

    @Test
    void statusCountsTheObjectsThatExistedBeforeTheQuota() {
        create(pod("a", "250m", "500m"));
        create(pod("b", "250m", null));
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cfg").endMetadata()
                .build()).create();
        startController();
        quota("compute", "pods", "5", "requests.cpu", "2", "limits.cpu", "4", "configmaps", "3", "services", "2",
                "services.nodeports", "1");

        awaitUsed("compute", Map.of("pods", "2", "requests.cpu", "500m", "limits.cpu", "500m", "configmaps", "1",
                "services", "0", "services.nodeports", "0"));
        ResourceQuota q = client.resourceQuotas().inNamespace(ns).withName("compute").get();
        assertThat(q.getStatus().getHard()).containsEntry("requests.cpu", new Quantity("2"))
                .containsEntry("pods", new Quantity("5"));
    }

    @Test
    void createsBeyondTheQuotaAreRefusedWithKubernetesMessage() {
        startController();
        quota("compute", "pods", "5", "requests.cpu", "2");
        awaitUsed("compute", Map.of("pods", "0", "requests.cpu", "0"));
        create(pod("web-0", "1", null));
        create(pod("web-1", "500m", null));
        awaitUsed("compute", Map.of("pods", "2", "requests.cpu", "1500m"));

        assertThat(refusal(pod("web-2", "1", null))).isEqualTo("pods \"web-2\" is forbidden: exceeded quota: compute, "
                + "requested: requests.cpu=1, used: requests.cpu=1500m, limited: requests.cpu=2");
        assertThat(refusal(pod("web-3", null, null)))
                .isEqualTo("pods \"web-3\" is forbidden: failed quota: compute: must specify requests.cpu for: c");
        create(pod("web-4", "500m", null));
        assertThat(used("compute")).containsEntry("requests.cpu", "2").containsEntry("pods", "3");
    }

    @Test
    void missingLimitsAreNamedPerContainer() {
        startController();
        quota("limits", "limits.cpu", "4");
        awaitUsed("limits", Map.of("limits.cpu", "0"));
        Pod twoContainers = new PodBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .addNewContainer().withName("c1").withImage("busybox").endContainer()
                .addNewContainer().withName("c2").withImage("busybox").endContainer().endSpec().build();
        assertThat(refusal(twoContainers))
                .isEqualTo("pods \"web\" is forbidden: failed quota: limits: must specify limits.cpu for: c1,c2");
    }

    @Test
    @Order(1) // before the controller starts
    void aQuotaWhoseUsageIsNotYetComputedRefusesWhatItLimits() {
        quota("compute", "pods", "5", "requests.cpu", "2");
        assertThat(refusal(pod("web", "100m", null)))
                .isEqualTo("pods \"web\" is forbidden: status unknown for quota: compute, resource: pods,requests.cpu");
        // objects the quota does not limit pass
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cfg").endMetadata()
                .build()).create();

        startController();
        awaitUsed("compute", Map.of("pods", "0", "requests.cpu", "0"));
        create(pod("web", "100m", null));
        assertThat(used("compute")).isEqualTo(Map.of("pods", "1", "requests.cpu", "100m"));
    }

    @Test
    void usageIsReleasedWhenPodsAreDeletedOrFinish() {
        startController();
        quota("pods", "pods", "2", "count/pods", "10");
        awaitUsed("pods", Map.of("pods", "0", "count/pods", "0"));
        create(pod("a", null, null));
        Pod b = create(pod("b", null, null));
        assertThat(refusal(pod("c", null, null))).isEqualTo("pods \"c\" is forbidden: exceeded quota: pods, "
                + "requested: pods=1, used: pods=2, limited: pods=2");

        client.pods().inNamespace(ns).withName("a").withGracePeriod(0).delete();
        awaitUsed("pods", Map.of("pods", "1", "count/pods", "1"));
        create(pod("c", null, null));

        PodStates.markSucceeded(client, b, Instant.now());
        // a finished pod frees "pods" but still exists, so it still counts in count/pods
        awaitUsed("pods", Map.of("pods", "1", "count/pods", "2"));
        create(pod("d", null, null));
        assertThat(used("pods")).isEqualTo(Map.of("pods", "2", "count/pods", "3"));
    }

    @Test
    void parallelCreatesNeverExceedTheQuota() throws Exception {
        startController();
        quota("pods", "pods", "5");
        awaitUsed("pods", Map.of("pods", "0"));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Pod p = pod("p-" + i, null, null);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        create(p);
                        return true;
                    } catch (KubernetesClientException e) {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage()).contains("exceeded quota: pods, requested: pods=1, used: pods=5, limited: pods=5");
                        return false;
                    }
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> f : results) {
                if (f.get()) {
                    admitted++;
                }
            }
            assertThat(admitted).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
        assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(5);
        assertThat(used("pods")).isEqualTo(Map.of("pods", "5"));
    }

    @Test
    void theFullResyncReturnsChargesOfCreatesThatFailedAfterAdmission() {
        startController();
        quota("objects", "configmaps", "3", "count/secrets", "4");
        awaitUsed("objects", Map.of("configmaps", "0", "count/secrets", "0"));
        var cm = new ConfigMapBuilder().withNewMetadata().withName("cfg").endMetadata().build();
        client.configMaps().inNamespace(ns).resource(cm).create();
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).resource(cm).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(used("objects")).containsEntry("configmaps", "2");

        clock.advance(ResourceQuotaReconciler.RESYNC);
        awaitUsed("objects", Map.of("configmaps", "1", "count/secrets", "0"));
    }

    @Test
    void kubectlDescribeQuotaShowsUsedAndHard() throws Exception {
        startController();
        quota("compute", "pods", "5", "requests.cpu", "2", "limits.memory", "2Gi");
        awaitUsed("compute", Map.of("pods", "0", "requests.cpu", "0", "limits.memory", "0"));
        Pod p = pod("web", "500m", null);
        p.getSpec().getContainers().getFirst().getResources().setLimits(Map.of("memory", new Quantity("512Mi")));
        create(p);

        Path home = Files.createDirectories(dir.resolve("kubectl-home"));
        Kubectl.Result r = new Kubectl(cluster.kubeconfig(), home).run("describe", "quota", "compute", "-n", ns).ok();
        assertThat(r.out()).containsPattern("Name:\\s+compute")
                .containsPattern("limits.memory\\s+512Mi\\s+2Gi")
                .containsPattern("pods\\s+1\\s+5")
                .containsPattern("requests.cpu\\s+500m\\s+2");
    }
}
