package dev.berth.core.controller.disruption;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DisruptionBudgetsIT {
    private static final String NS = "pdb-test";

    @TempDir
    Path dir;

    private TestCluster cluster;
    private KubernetesClient client;
    private Informers informers;
    private DisruptionBudgets budgets;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace(NS);
        informers = new Informers(client);
        budgets = new DisruptionBudgets(new ControllerContext(client, informers, Clock.systemUTC(), EventRecorder.NONE));
        budgets.start();
        informers.start();
        await().atMost(Duration.ofSeconds(20)).until(budgets::isReady);
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        if (budgets != null) {
            budgets.close();
        }
        if (informers != null) {
            informers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Pod readyPod(String name) {
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("c").withImage("busybox:1.36").endContainer()
                .endSpec().build()).create();
        return PodStates.markRunningReady(client, pod, Instant.now());
    }

    private PodDisruptionBudget budget(IntOrString minAvailable, IntOrString maxUnavailable) {
        return client.policy().v1().podDisruptionBudget().inNamespace(NS).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable).endSpec()
                .build()).create();
    }

    private PodDisruptionBudget current() {
        return client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("web").get();
    }

    @Test
    void statusCountsHealthyPodsAndTheDisruptionsTheyAllow() {
        readyPod("web-0");
        readyPod("web-1");
        Pod notReady = client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("web-2").addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer().endSpec()
                .build()).create();
        PodStates.markRunningNotReady(client, notReady, Instant.now());
        budget(new IntOrString(1), null);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var s = current().getStatus();
            assertThat(s).isNotNull();
            assertThat(s.getExpectedPods()).isEqualTo(3);
            assertThat(s.getCurrentHealthy()).isEqualTo(2);
            assertThat(s.getDesiredHealthy()).isEqualTo(1);
            assertThat(s.getDisruptionsAllowed()).isEqualTo(1);
            assertThat(s.getObservedGeneration()).isEqualTo(current().getMetadata().getGeneration());
            assertThat(s.getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("DisruptionAllowed");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("SufficientPods");
            });
        });
    }

    @Test
    void evictionTakesTheLastAllowedDisruptionThenIsRefusedWithTooManyRequests() {
        readyPod("web-0");
        readyPod("web-1");
        budget(new IntOrString(1), null);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> current().getStatus() != null && current().getStatus().getDisruptionsAllowed() == 1);

        assertThat(client.pods().inNamespace(NS).withName("web-0").evict()).isTrue();
        // the budget recorded the eviction at once, before its controller saw the pod go
        assertThat(current().getStatus().getDisruptionsAllowed()).isZero();
        assertThat(client.pods().inNamespace(NS).withName("web-1").evict()).isFalse();
        assertThat(client.pods().inNamespace(NS).withName("web-1").get().getMetadata().getDeletionTimestamp()).isNull();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var s = current().getStatus();
            assertThat(s.getCurrentHealthy()).isEqualTo(1);
            assertThat(s.getDisruptedPods()).isNullOrEmpty();
            assertThat(s.getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("InsufficientPods"));
        });
    }

    @Test
    void percentageBudgetUsesTheScaleOfThePodsController() {
        var rs = client.apps().replicaSets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        for (String name : new String[]{"web-a", "web-b"}) {
            Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName(name).addToLabels("app", "web")
                    .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web")
                    .withUid(rs.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer().endSpec()
                    .build()).create();
            PodStates.markRunningReady(client, pod, Instant.now());
        }
        budget(null, new IntOrString("25%"));

        // 4 expected (the ReplicaSet's scale), 25% of 4 = 1 may be unavailable, so 3 must be healthy; 2 are
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var s = current().getStatus();
            assertThat(s.getExpectedPods()).isEqualTo(4);
            assertThat(s.getDesiredHealthy()).isEqualTo(3);
            assertThat(s.getCurrentHealthy()).isEqualTo(2);
            assertThat(s.getDisruptionsAllowed()).isZero();
        });
    }

    @Test
    void kubectlDrainRetriesAnEvictionTheBudgetRefuses() throws Exception {
        readyPod("web-0");
        budget(new IntOrString(1), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> current().getStatus() != null
                && current().getStatus().getCurrentHealthy() == 1);

        Path home = Files.createDirectories(dir.resolve("home"));
        Kubectl.Result r = new Kubectl(cluster.kubeconfig(), home)
                .run("drain", "node-a", "--force", "--timeout=3s");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(client.nodes().withName("node-a").get().getSpec().getUnschedulable()).isTrue();
        assertThat(client.pods().inNamespace(NS).withName("web-0").get().getMetadata().getDeletionTimestamp()).isNull();
    }
}
