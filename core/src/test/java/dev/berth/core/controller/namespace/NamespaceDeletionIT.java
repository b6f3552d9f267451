package dev.berth.core.controller.namespace;

import dev.berth.core.controller.ControllerManager;
import dev.berth.core.controller.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NamespaceDeletionIT {
    private static final String NS = "doomed";

    @TempDir
    Path dir;

    private TestCluster cluster;
    private KubernetesClient client;
    private ControllerManager controllers;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace(NS);
        controllers = ControllerManager.start(client);
        await().atMost(Duration.ofSeconds(20)).until(controllers::isReady);
    }

    @AfterEach
    void stop() {
        if (controllers != null) {
            controllers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void deletingANamespaceRemovesEverythingInItAndThenTheNamespace() {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").endMetadata().addToData("a", "b").build()).create();
        client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName("token").endMetadata().addToStringData("t", "s").build()).create();
        client.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("robot").endMetadata().build()).create();
        client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("unscheduled").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
                .build()).create();
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();

        client.namespaces().withName(NS).delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.namespaces().withName(NS).get()).isNull());
        assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.serviceAccounts().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void aTerminatingNamespaceWaitsForContentHeldByFinalizersAndSaysSo() {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("held").addToFinalizers("example.com/hold").endMetadata().build()).create();
        client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("rs").endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "x").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "x").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();

        client.namespaces().withName(NS).delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Namespace ns = client.namespaces().withName(NS).get();
            assertThat(ns.getStatus().getPhase()).isEqualTo("Terminating");
            Map<String, NamespaceCondition> conditions = byType(ns.getStatus().getConditions());
            assertThat(conditions).containsKeys("NamespaceContentRemaining", "NamespaceFinalizersRemaining",
                    "NamespaceDeletionContentFailure", "NamespaceDeletionDiscoveryFailure");
            assertThat(conditions.get("NamespaceContentRemaining").getStatus()).isEqualTo("True");
            assertThat(conditions.get("NamespaceContentRemaining").getMessage())
                    .isEqualTo("Some resources are remaining: configmaps. has 1 resource instances");
            assertThat(conditions.get("NamespaceFinalizersRemaining").getMessage())
                    .isEqualTo("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
            assertThat(conditions.get("NamespaceDeletionContentFailure").getStatus()).isEqualTo("False");
            assertThat(conditions.get("NamespaceDeletionDiscoveryFailure").getStatus()).isEqualTo("False");
        });
        assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems()).isEmpty();

        ConfigMap held = client.configMaps().inNamespace(NS).withName("held").get();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        held.getMetadata().setFinalizers(List.of());
        client.configMaps().inNamespace(NS).resource(held).update();

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(client.namespaces().withName(NS).get()).isNull());
    }

    @Test
    void leavesANamespaceThatIsNotBeingDeletedAlone() {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("kept").endMetadata().build()).create();
        cluster.createNamespace("other");
        client.configMaps().inNamespace("other").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("gone").endMetadata().build()).create();

        client.namespaces().withName("other").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.namespaces().withName("other").get()).isNull());
        assertThat(client.configMaps().inNamespace(NS).withName("kept").get()).isNotNull();
        assertThat(client.namespaces().withName(NS).get().getMetadata().getDeletionTimestamp()).isNull();
    }

    private static Map<String, NamespaceCondition> byType(List<NamespaceCondition> conditions) {
        assertThat(conditions).isNotNull();
        return conditions.stream().collect(java.util.stream.Collectors.toMap(NamespaceCondition::getType, c -> c));
    }
}
