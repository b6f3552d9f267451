package dev.berth.core.apiserver;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Object semantics a client relies on: generation, status, finalizers, graceful deletion, binding. */
class ObjectSemanticsIT {
    @TempDir
    static Path dir;
    static TestApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void thePagesOfAPagedListShowOneRevisionEvenWhileObjectsChange() {
        var configMaps = client.configMaps().inNamespace("default");
        for (String name : List.of("page-a", "page-b", "page-c", "page-d")) {
            configMaps.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName(name)
                    .addToLabels("paged", "yes").endMetadata().addToData("v", "1").build()).create();
        }
        var first = configMaps.withLabel("paged", "yes").list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                .withLimit(2L).build());
        assertThat(first.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("page-a", "page-b");
        assertThat(first.getMetadata().getRemainingItemCount()).isEqualTo(2L);

        configMaps.withName("page-c").edit(c -> new io.fabric8.kubernetes.api.model.ConfigMapBuilder(c).addToData("v", "2").build());
        configMaps.withName("page-d").delete();
        configMaps.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("page-e")
                .addToLabels("paged", "yes").endMetadata().build()).create();

        var rest = configMaps.withLabel("paged", "yes").list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                .withLimit(10L).withContinue(first.getMetadata().getContinue()).build());
        assertThat(rest.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
        assertThat(rest.getItems()).extracting(c -> c.getMetadata().getName() + "=" + c.getData().get("v"))
                .containsExactly("page-c=1", "page-d=1");
        assertThat(rest.getMetadata().getContinue()).isNullOrEmpty();
        assertThat(configMaps.withLabel("paged", "yes").list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactly("page-a", "page-b", "page-c", "page-e");
    }

    private static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.local/c:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    @Test
    void generationCountsSpecChangesOnlyAndStatusHasItsOwnEndpoint() {
        var deployments = client.apps().deployments().inNamespace("default");
        Deployment d = deployments.resource(deployment("gen")).create();
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");

        Deployment labelled = deployments.withName("gen").edit(x -> new DeploymentBuilder(x).editMetadata()
                .addToLabels("k", "v").endMetadata().build());
        assertThat(labelled.getMetadata().getGeneration()).isEqualTo(1);

        Deployment scaled = deployments.withName("gen").edit(x -> new DeploymentBuilder(x).editSpec()
                .withReplicas(3).endSpec().build());
        assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2);

        // status written through the main resource is ignored; through /status it sticks
        Deployment withStatus = new DeploymentBuilder(scaled).withNewStatus().withReplicas(3).withObservedGeneration(2L)
                .endStatus().build();
        assertThat(deployments.resource(withStatus).update().getStatus()).satisfiesAnyOf(
                s -> assertThat(s).isNull(), s -> assertThat(s.getReplicas()).isNull());
        Deployment current = deployments.withName("gen").get();
        current.setStatus(withStatus.getStatus());
        Deployment statusUpdated = deployments.resource(current).updateStatus();
        assertThat(statusUpdated.getStatus().getReplicas()).isEqualTo(3);
        assertThat(statusUpdated.getMetadata().getGeneration()).isEqualTo(2);
    }

    @Test
    void finalizersHoldDeletionUntilTheyAreRemoved() {
        var cms = client.configMaps().inNamespace("default");
        cms.resource(new ConfigMapBuilder().withNewMetadata().withName("held").withFinalizers("example.com/hold")
                .endMetadata().build()).create();
        cms.withName("held").delete();
        var held = cms.withName("held").get();
        assertThat(held).isNotNull();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        cms.withName("held").edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers(List.of()).endMetadata().build());
        assertThat(cms.withName("held").get()).isNull();
    }

    @Test
    void aPodBoundToANodeIsDeletedGracefullyAndTheNodeFinishesIt() {
        var pods = client.pods().inNamespace("default");
        Pod p = pods.resource(new PodBuilder().withNewMetadata().withName("graceful").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.local/c:1").endContainer().endSpec()
                .build()).create();
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(p.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(p.getSpec().getServiceAccountName()).isEqualTo("default");

        io.fabric8.kubernetes.api.model.Binding binding = new io.fabric8.kubernetes.api.model.BindingBuilder()
                .withNewMetadata().withName("graceful").endMetadata()
                .withNewTarget().withKind("Node").withName("node-1").endTarget().build();
        client.resource(binding).inNamespace("default").create();
        Pod bound = pods.withName("graceful").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(bound.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThatThrownBy(() -> client.resource(binding).inNamespace("default").create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("already assigned to node");

        pods.withName("graceful").delete();
        Pod terminating = pods.withName("graceful").get();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        // the node, once its containers stopped, deletes with grace 0
        pods.withName("graceful").withGracePeriod(0).delete();
        assertThat(pods.withName("graceful").get()).isNull();
    }

    @Test
    void invalidObjectsAreRefusedWithCausesNamingTheFields() {
        Deployment bad = deployment("BadName");
        bad.getSpec().setReplicas(-1);
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("default").resource(bad).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getDetails().getCauses()).extracting(c -> c.getField())
                            .contains("metadata.name", "spec.replicas");
                });
    }

    @Test
    void immutableFieldsCannotChange() {
        var deployments = client.apps().deployments().inNamespace("default");
        deployments.resource(deployment("immut")).create();
        assertThatThrownBy(() -> deployments.withName("immut").edit(x -> new DeploymentBuilder(x).editSpec().editSelector()
                .addToMatchLabels("extra", "x").endSelector().editTemplate().editMetadata().addToLabels("extra", "x")
                .endMetadata().endTemplate().endSpec().build()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.selector", "immutable");
                });
    }

    @Test
    void servicesGetDistinctClusterIpsAndNodePortsInRange() {
        var services = client.services().inNamespace("default");
        java.util.Set<String> ips = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            var s = services.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                    .withName("svc-" + i).endMetadata().withNewSpec().withType("NodePort").withSelector(Map.of("a", "b"))
                    .addNewPort().withPort(80).endPort().endSpec().build()).create();
            assertThat(ips.add(s.getSpec().getClusterIP())).isTrue();
            assertThat(s.getSpec().getClusterIP()).startsWith("10.43.");
            assertThat(s.getSpec().getPorts().getFirst().getNodePort()).isBetween(30000, 32767);
            assertThat(s.getSpec().getPorts().getFirst().getTargetPort().getIntVal()).isEqualTo(80);
        }
        var taken = services.withName("svc-0").get().getSpec().getClusterIP();
        assertThatThrownBy(() -> services.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                .withName("dup-ip").endMetadata().withNewSpec().withClusterIP(taken).addNewPort().withPort(80).endPort()
                .endSpec().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage()).contains("already allocated"));
        // deleting a Service frees its address
        services.withName("svc-0").delete();
        services.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("reuse")
                .endMetadata().withNewSpec().withClusterIP(taken).addNewPort().withPort(80).endPort().endSpec().build()).create();
    }
}
