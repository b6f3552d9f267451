package dev.berth.core.controller.replicaset;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The replica set controller against a real API server, reconciled by hand (no workers) unless said otherwise. */
class ReplicaSetIT {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static KubernetesClient client;
    static FakeClock clock;
    static ControllerContext context;
    static ReplicaSets<ReplicaSet> replicaSets;
    static ReplicaSets<ReplicationController> replicationControllers;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        clock = new FakeClock();
        context = new ControllerContext(client, new Informers(client), clock,
                new ApiEventRecorder(client, clock, "controller-manager"));
        replicaSets = ReplicaSets.replicaSets(context);
        replicationControllers = ReplicaSets.replicationControllers(context);
        context.informers().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> context.informers().hasSynced());
    }

    @AfterAll
    static void stop() {
        replicaSets.close();
        replicationControllers.close();
        context.informers().close();
        ((ApiEventRecorder) context.events()).close();
        cluster.close();
    }

    static ReplicaSet replicaSet(String ns, String name, int replicas, int minReadySeconds) {
        return client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(minReadySeconds)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels("tier", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    /** The active pods the cache shows owned by the object with this uid. */
    static List<Pod> cachedOwned(String ns, String uid) {
        return context.informers().inNamespace(Pod.class, ns).stream().filter(Pods::isActive)
                .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> uid.equals(r.getUid()) && Boolean.TRUE.equals(r.getController())))
                .toList();
    }

    static List<Pod> apiPods(String ns) {
        return client.pods().inNamespace(ns).list().getItems();
    }

    static void reconcile(String ns, String name) throws Exception {
        replicaSets.reconciler().reconcile(Keys.of(ns, name));
    }

    /** Reconciles and waits until the cache shows the controller's writes, as the next watch event would. */
    static void reconcileUntilSettled(String ns, String name, int replicas) throws Exception {
        reconcile(ns, name);
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(name).get();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(cachedOwned(ns, rs.getMetadata().getUid())).hasSize(replicas);
            assertThat(replicaSets.reconciler().expectations().satisfied(Keys.of(ns, name))).isTrue();
        });
    }

    @Test
    void createsTheMissingPodsOwnedByTheReplicaSetAndRecordsEachCreation() throws Exception {
        cluster.createNamespace("rs-create");
        ReplicaSet rs = replicaSet("rs-create", "web", 3, 0);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-create/web") != null);

        reconcile("rs-create", "web");

        List<Pod> pods = apiPods("rs-create");
        assertThat(pods).hasSize(3);
        for (Pod p : pods) {
            assertThat(p.getMetadata().getName()).startsWith("web-");
            assertThat(p.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "web");
            OwnerReference ref = p.getMetadata().getOwnerReferences().getFirst();
            assertThat(ref.getKind()).isEqualTo("ReplicaSet");
            assertThat(ref.getApiVersion()).isEqualTo("apps/v1");
            assertThat(ref.getUid()).isEqualTo(rs.getMetadata().getUid());
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getBlockOwnerDeletion()).isTrue();
        }
        Set<String> expected = pods.stream().map(p -> "Created pod: " + p.getMetadata().getName()).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("rs-create")
                .list().getItems()).filteredOn(e -> "SuccessfulCreate".equals(e.getReason()))
                .extracting(e -> e.getMessage()).containsExactlyInAnyOrderElementsOf(expected));

        reconcileUntilSettled("rs-create", "web", 3);
        ReplicaSet status = client.apps().replicaSets().inNamespace("rs-create").withName("web").get();
        assertThat(status.getStatus().getReplicas()).isEqualTo(3);
        assertThat(status.getStatus().getFullyLabeledReplicas()).isEqualTo(3);
        assertThat(status.getStatus().getReadyReplicas()).isNull(); // omitted when zero, as Kubernetes
        assertThat(status.getStatus().getObservedGeneration()).isEqualTo(status.getMetadata().getGeneration());
    }

    @Test
    void neverCreatesSurplusPodsWhileItsCreationsAreStillOnTheirWay() throws Exception {
        cluster.createNamespace("rs-surplus");
        replicaSet("rs-surplus", "web", 5, 0);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-surplus/web") != null);

        // back to back, before the cache can have seen the first round's pods
        for (int i = 0; i < 5; i++) {
            reconcile("rs-surplus", "web");
        }
        assertThat(apiPods("rs-surplus")).hasSize(5);
    }

    @Test
    void concurrentWorkersHammeredWithEventsKeepExactlyTheReplicas() throws Exception {
        cluster.createNamespace("rs-workers");
        ReplicaSets<ReplicaSet> busy = new ReplicaSets<>(context, ReplicaKind.REPLICA_SET, 4);
        busy.start();
        await().until(busy::isReady);
        try {
            replicaSet("rs-workers", "web", 8, 0);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            for (int round = 0; round < 40; round++) {
                busy.loop().enqueue("rs-workers/web");
                seen.add(apiPods("rs-workers").size());
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(apiPods("rs-workers")).hasSize(8));
            // scale down and up again while events keep arriving
            client.apps().replicaSets().inNamespace("rs-workers").withName("web").scale(3);
            for (int round = 0; round < 20; round++) {
                busy.loop().enqueue("rs-workers/web");
                seen.add(apiPods("rs-workers").size());
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(apiPods("rs-workers")).hasSize(3));
            client.apps().replicaSets().inNamespace("rs-workers").withName("web").scale(6);
            for (int round = 0; round < 20; round++) {
                busy.loop().enqueue("rs-workers/web");
                seen.add(apiPods("rs-workers").size());
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(apiPods("rs-workers")).hasSize(6));
            assertThat(seen).allMatch(n -> n <= 8);
        } finally {
            busy.close();
        }
    }

    @Test
    void adoptsMatchingOrphansAndReleasesPodsItNoLongerSelects() throws Exception {
        cluster.createNamespace("rs-adopt");
        Pod orphan = client.pods().inNamespace("rs-adopt").resource(new PodBuilder()
                .withNewMetadata().withName("orphan").addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec()
                .build()).create();
        Pod other = client.pods().inNamespace("rs-adopt").resource(new PodBuilder()
                .withNewMetadata().withName("other").addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec()
                .build()).create();
        ReplicaSet rs = replicaSet("rs-adopt", "web", 2, 0);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-adopt/web") != null
                && context.informers().inNamespace(Pod.class, "rs-adopt").size() == 2);

        reconcileUntilSettled("rs-adopt", "web", 2);

        Pod adopted = client.pods().inNamespace("rs-adopt").withName("orphan").get();
        assertThat(adopted.getMetadata().getUid()).isEqualTo(orphan.getMetadata().getUid());
        assertThat(Pods.controllerOf(adopted).getUid()).isEqualTo(rs.getMetadata().getUid());
        assertThat(Pods.controllerOf(adopted).getBlockOwnerDeletion()).isTrue();
        assertThat(client.pods().inNamespace("rs-adopt").withName("other").get().getMetadata().getOwnerReferences())
                .isNullOrEmpty();
        assertThat(apiPods("rs-adopt")).hasSize(3); // the orphan, one new pod, and the unrelated one

        // relabelled out of the selector: released, and replaced
        client.pods().inNamespace("rs-adopt").withName("orphan")
                .edit(p -> new PodBuilder(p).editMetadata().addToLabels("app", "debug").endMetadata().build());
        await().until(() -> "debug".equals(context.informers().get(Pod.class, "rs-adopt/orphan").getMetadata().getLabels().get("app")));
        reconcileUntilSettled("rs-adopt", "web", 2);

        assertThat(client.pods().inNamespace("rs-adopt").withName("orphan").get().getMetadata().getOwnerReferences())
                .isNullOrEmpty();
        assertThat(apiPods("rs-adopt")).hasSize(4);
        assertThat(other.getMetadata().getName()).isEqualTo("other");
    }

    @Test
    void scalingDownDeletesPendingAndUnreadyPodsBeforeReadyOnes() throws Exception {
        cluster.createNamespace("rs-down");
        replicaSet("rs-down", "web", 5, 0);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-down/web") != null);
        reconcileUntilSettled("rs-down", "web", 5);

        List<Pod> pods = new ArrayList<>(apiPods("rs-down"));
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        Pod readyOld = PodStates.markRunningReady(client, pods.get(0), clock.instant().minusSeconds(600));
        Pod readyNew = PodStates.markRunningReady(client, pods.get(1), clock.instant());
        Pod notReady = PodStates.markRunningNotReady(client, pods.get(2), clock.instant());
        Pod readyOld2 = PodStates.markRunningReady(client, pods.get(3), clock.instant().minusSeconds(300));
        // pods.get(4) stays Pending
        await().untilAsserted(() -> assertThat(context.informers().inNamespace(Pod.class, "rs-down"))
                .filteredOn(Pods::isReady).hasSize(3));

        client.apps().replicaSets().inNamespace("rs-down").withName("web").scale(2);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-down/web").getSpec().getReplicas() == 2);
        reconcileUntilSettled("rs-down", "web", 2);

        assertThat(apiPods("rs-down")).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder(readyOld.getMetadata().getName(), readyOld2.getMetadata().getName());
        assertThat(notReady.getMetadata().getName()).isNotIn(apiPods("rs-down").stream().map(p -> p.getMetadata().getName()).toList());
        assertThat(readyNew).isNotNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("rs-down")
                .list().getItems()).filteredOn(e -> "SuccessfulDelete".equals(e.getReason())).hasSize(3)
                .allMatch(e -> e.getMessage().startsWith("Deleted pod: web-")));
    }

    @Test
    void countsPodsAvailableOnlyAfterMinReadySecondsOnTheInjectedClock() throws Exception {
        cluster.createNamespace("rs-minready");
        replicaSet("rs-minready", "web", 2, 30);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-minready/web") != null);
        reconcileUntilSettled("rs-minready", "web", 2);
        for (Pod p : apiPods("rs-minready")) {
            PodStates.markRunningReady(client, p, clock.instant());
        }
        await().untilAsserted(() -> assertThat(context.informers().inNamespace(Pod.class, "rs-minready"))
                .filteredOn(Pods::isReady).hasSize(2));

        var result = replicaSets.reconciler().reconcile("rs-minready/web");
        ReplicaSet rs = client.apps().replicaSets().inNamespace("rs-minready").withName("web").get();
        assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(rs.getStatus().getAvailableReplicas()).isNull();
        assertThat(result).isInstanceOf(dev.berth.core.controller.runtime.Result.RequeueAfter.class);
        assertThat(((dev.berth.core.controller.runtime.Result.RequeueAfter) result).delay())
                .isGreaterThan(Duration.ofSeconds(29)).isLessThanOrEqualTo(Duration.ofSeconds(31));

        clock.advance(Duration.ofSeconds(31));
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-minready/web").getStatus().getReadyReplicas() == 2);
        replicaSets.reconciler().reconcile("rs-minready/web");
        rs = client.apps().replicaSets().inNamespace("rs-minready").withName("web").get();
        assertThat(rs.getStatus().getAvailableReplicas()).isEqualTo(2);
    }

    @Test
    void reportsReplicaFailureWhenPodsCannotBeCreated() throws Exception {
        cluster.createNamespace("rs-fail");
        replicaSet("rs-fail", "web", 3, 0);
        await().until(() -> context.informers().get(ReplicaSet.class, "rs-fail/web") != null);
        // a terminating namespace refuses new pods; no namespace controller runs here to empty it
        client.namespaces().withName("rs-fail").delete();
        await().until(() -> client.namespaces().withName("rs-fail").get().getMetadata().getDeletionTimestamp() != null);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reconcile("rs-fail", "web"))
                .hasMessageContaining("being terminated");

        ReplicaSet rs = client.apps().replicaSets().inNamespace("rs-fail").withName("web").get();
        assertThat(apiPods("rs-fail")).isEmpty();
        assertThat(rs.getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaFailure");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("FailedCreate");
            assertThat(c.getMessage()).contains("being terminated");
        });
        // one failed request, not three: the slow start stops at the first failure
        assertThat(replicaSets.reconciler().expectations().satisfied("rs-fail/web")).isTrue();
    }

    @Test
    void replicationControllerManagesPodsThroughItsMapSelector() throws Exception {
        cluster.createNamespace("rc");
        ReplicationController rc = client.replicationControllers().inNamespace("rc").resource(new ReplicationControllerBuilder()
                .withNewMetadata().withName("legacy").endMetadata()
                .withNewSpec().withReplicas(2).withSelector(Map.of("app", "legacy"))
                .withNewTemplate().withNewMetadata().addToLabels("app", "legacy").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        await().until(() -> context.informers().get(ReplicationController.class, "rc/legacy") != null);

        replicationControllers.reconciler().reconcile("rc/legacy");
        assertThat(apiPods("rc")).hasSize(2).allSatisfy(p -> {
            assertThat(Pods.controllerOf(p).getKind()).isEqualTo("ReplicationController");
            assertThat(Pods.controllerOf(p).getApiVersion()).isEqualTo("v1");
            assertThat(Pods.controllerOf(p).getUid()).isEqualTo(rc.getMetadata().getUid());
        });
        for (Pod p : apiPods("rc")) {
            PodStates.markRunningReady(client, p, clock.instant());
        }
        await().untilAsserted(() -> assertThat(context.informers().inNamespace(Pod.class, "rc"))
                .filteredOn(Pods::isReady).hasSize(2));
        replicationControllers.reconciler().reconcile("rc/legacy");
        ReplicationController status = client.replicationControllers().inNamespace("rc").withName("legacy").get();
        assertThat(status.getStatus().getReplicas()).isEqualTo(2);
        assertThat(status.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(status.getStatus().getAvailableReplicas()).isEqualTo(2);
    }
}
