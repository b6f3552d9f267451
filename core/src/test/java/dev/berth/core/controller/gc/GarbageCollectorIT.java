package dev.berth.core.controller.gc;

import dev.berth.core.controller.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GarbageCollectorIT {
    private static final String NS = "gc-test";

    @TempDir
    Path dir;

    private TestCluster cluster;
    private KubernetesClient client;
    private GarbageCollector gc;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace(NS);
        gc = new GarbageCollector(client, Clock.systemUTC(), 2);
        gc.start();
        await().atMost(Duration.ofSeconds(20)).until(gc::isReady);
    }

    @AfterEach
    void stop() {
        if (gc != null) {
            gc.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void backgroundDeletionOfAnOwnerCollectsItsWholeChainOfDependents() {
        ConfigMap parent = configMap("parent");
        ConfigMap child = configMap("child", ownedBy(parent, false));
        configMap("grandchild", ownedBy(child, false));

        client.configMaps().inNamespace(NS).withName("parent")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).isEmpty());
    }

    @Test
    void foregroundDeletionRemovesTheDependentsBeforeTheOwner() {
        List<String> deletions = new CopyOnWriteArrayList<>();
        try (Watch ignored = watchDeletions(deletions)) {
            ConfigMap parent = configMap("parent");
            ConfigMap child = configMap("child", ownedBy(parent, true));
            configMap("grandchild", ownedBy(child, true));

            client.configMaps().inNamespace(NS).withName("parent")
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

            await().atMost(Duration.ofSeconds(20)).until(() -> deletions.size() == 3);
            assertThat(deletions).containsExactly("grandchild", "child", "parent");
        }
    }

    @Test
    void anOwnerInForegroundDeletionWaitsWithItsFinalizerForBlockingDependents() {
        ConfigMap parent = configMap("parent");
        configMap("held", List.of(ownedBy(parent, true)), List.of("example.com/hold"));

        client.configMaps().inNamespace(NS).withName("parent")
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                get("held").getMetadata().getDeletionTimestamp()).isNotNull());
        assertThat(get("parent").getMetadata().getFinalizers()).contains("foregroundDeletion");

        ConfigMap held = get("held");
        held.getMetadata().setFinalizers(List.of());
        client.configMaps().inNamespace(NS).resource(held).update();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).isEmpty());
    }

    @Test
    void orphanDeletionKeepsTheDependentsAndRemovesTheirOwnerReferences() {
        ConfigMap parent = configMap("parent");
        configMap("child-a", ownedBy(parent, true));
        configMap("child-b", ownedBy(parent, false));

        client.configMaps().inNamespace(NS).withName("parent")
                .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(configMapNames()).containsExactlyInAnyOrder("child-a", "child-b");
            assertThat(get("child-a").getMetadata().getOwnerReferences()).isEmpty();
            assertThat(get("child-b").getMetadata().getOwnerReferences()).isEmpty();
        });
    }

    @Test
    void collectsADependentWhoseOwnerNeverExisted() {
        OwnerReference madeUp = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("ghost").withUid(UUID.randomUUID().toString()).build();
        configMap("orphan-at-birth", madeUp);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).isEmpty());
    }

    @Test
    void collectsADependentWhoseOwnerNameWasReusedByAnotherObject() {
        ConfigMap stranger = configMap("stranger");
        OwnerReference wrongUid = new OwnerReferenceBuilder(ownedBy(stranger, false))
                .withUid(UUID.randomUUID().toString()).build();
        configMap("misled", wrongUid);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).containsExactly("stranger"));
    }

    @Test
    void removesOnlyTheDanglingReferenceFromADependentWithAnOwnerLeft() {
        ConfigMap alive = configMap("alive");
        OwnerReference gone = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("gone").withUid(UUID.randomUUID().toString()).build();
        configMap("shared", ownedBy(alive, false), gone);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("shared").getMetadata()
                .getOwnerReferences()).extracting(OwnerReference::getName).containsExactly("alive"));
    }

    @Test
    void collectsNamespacedDependentsOfAClusterScopedOwner() {
        ClusterRole role = client.rbac().clusterRoles().resource(new ClusterRoleBuilder()
                .withNewMetadata().withName("gc-owner").endMetadata().build()).create();
        configMap("bound", ownedBy(role, false));
        OwnerReference madeUp = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("ghost").withUid(UUID.randomUUID().toString()).build();
        configMap("sentinel", madeUp);

        // the sentinel is collected; the dependent of a live cluster-scoped owner is not
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).containsExactly("bound"));

        client.rbac().clusterRoles().withName("gc-owner").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).isEmpty());
    }

    @Test
    void aDependentWithAnotherLiveOwnerOnlyLosesItsReferenceToAnOwnerDeletedInTheForeground() {
        ConfigMap going = configMap("going");
        ConfigMap staying = configMap("staying");
        configMap("shared", ownedBy(going, true), ownedBy(staying, false));

        client.configMaps().inNamespace(NS).withName("going")
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(configMapNames()).containsExactlyInAnyOrder("staying", "shared");
            assertThat(get("shared").getMetadata().getOwnerReferences())
                    .extracting(OwnerReference::getName).containsExactly("staying");
        });
    }

    @Test
    void leavesDependentsAloneWhoseOwnersItCannotResolve() {
        client.rbac().clusterRoles().resource(new ClusterRoleBuilder()
                .withNewMetadata().withName("gc-cluster-dependent")
                .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                        .withName("namespaced-owner").withUid(UUID.randomUUID().toString()).build())
                .endMetadata().build()).create();
        configMap("of-unknown-kind", new OwnerReferenceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                .withName("w").withUid(UUID.randomUUID().toString()).build());
        OwnerReference madeUp = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("ghost").withUid(UUID.randomUUID().toString()).build();
        configMap("sentinel", madeUp);

        // a cluster-scoped object cannot name a namespaced owner; a kind nobody serves may come later
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configMapNames()).containsExactly("of-unknown-kind"));
        assertThat(client.rbac().clusterRoles().withName("gc-cluster-dependent").get()).isNotNull();
    }

    @Test
    void deletingAReplicaSetInTheForegroundTakesItsPodsFirst() {
        ReplicaSet rs = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("web-1").addToLabels("app", "web")
                .addToOwnerReferences(new OwnerReferenceBuilder(ownedBy(rs, true)).withController(true).build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .build()).create();

        client.apps().replicaSets().inNamespace(NS).withName("web")
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
            assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems()).isEmpty();
        });
    }

    // ---- helpers -----------------------------------------------------------------------------

    private ConfigMap configMap(String name, OwnerReference... owners) {
        return configMap(name, List.of(owners), List.of());
    }

    private ConfigMap configMap(String name, List<OwnerReference> owners, List<String> finalizers) {
        return client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(name).withOwnerReferences(owners).withFinalizers(finalizers).endMetadata()
                .addToData("k", "v")
                .build()).create();
    }

    private static OwnerReference ownedBy(HasMetadata owner, boolean blockOwnerDeletion) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(blockOwnerDeletion)
                .build();
    }

    private ConfigMap get(String name) {
        return client.configMaps().inNamespace(NS).withName(name).get();
    }

    private List<String> configMapNames() {
        return client.configMaps().inNamespace(NS).list().getItems().stream()
                .map(c -> c.getMetadata().getName()).toList();
    }

    private Watch watchDeletions(List<String> into) {
        return client.configMaps().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                if (action == Action.DELETED) {
                    into.add(resource.getMetadata().getName());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }
}
