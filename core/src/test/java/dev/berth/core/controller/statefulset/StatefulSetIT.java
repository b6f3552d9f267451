package dev.berth.core.controller.statefulset;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The StatefulSet controller against a real API server; the test plays the nodes' part. */
class StatefulSetIT {
    private static final String NS = "stateful";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static TestApiServer server;
    private static KubernetesClient client;
    private static Clock clock;
    private static ControllerContext context;
    private static StatefulSets controller;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .withNewSpec().addToFinalizers("kubernetes").endSpec().build()).create();
        clock = Clock.systemUTC();
        context = ControllerContext.create(client, clock, "controller-manager");
        controller = new StatefulSets(context, 1);
        context.informers().start();
        controller.start();
        await().atMost(WAIT).until(controller::isReady);
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (context != null) {
            context.informers().close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private StatefulSet statefulSet(String name, int replicas, String image) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(name + "-headless")
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage(image)
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer().endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate()
                .withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .endVolumeClaimTemplate()
                .endSpec()
                .build();
    }

    private StatefulSet create(StatefulSet sts) {
        return client.apps().statefulSets().inNamespace(NS).resource(sts).create();
    }

    private void edit(String name, UnaryOperator<StatefulSet> change) {
        client.apps().statefulSets().inNamespace(NS).withName(name).edit(change);
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    private List<String> podNames(String app) {
        return client.pods().inNamespace(NS).withLabel("app", app).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace(NS).withName(name).get();
    }

    private StatefulSetStatus status(String name) {
        return client.apps().statefulSets().inNamespace(NS).withName(name).get().getStatus();
    }

    private static String image(Pod p) {
        return p.getSpec().getContainers().getFirst().getImage();
    }

    /** Marks the pod Running and Ready once it exists, retrying when it changed under us. */
    private void ready(String name) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Pod p = pod(name);
            assertThat(p).as("pod %s", name).isNotNull();
            if (!StatefulPods.isRunningAndReady(p)) {
                try {
                    PodStates.markRunningReady(client, p, clock.instant());
                } catch (KubernetesClientException e) {
                    // changed meanwhile; look again
                }
            }
            assertThat(StatefulPods.isRunningAndReady(pod(name))).isTrue();
        });
    }

    @Test
    void comesUpInOrderWithItsClaimsAndStableIdentity() {
        create(statefulSet("web", 3, "db:1"));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pod("web-0")).isNotNull());
        Pod web0 = pod("web-0");
        PersistentVolumeClaim data0 = claim("data-web-0");
        assertThat(data0).as("claim created with the pod").isNotNull();
        assertThat(Long.parseLong(data0.getMetadata().getResourceVersion()))
                .as("claim created before the pod").isLessThan(Long.parseLong(web0.getMetadata().getResourceVersion()));
        assertThat(data0.getMetadata().getLabels()).containsEntry("app", "web");
        assertThat(data0.getMetadata().getOwnerReferences()).as("Retain: no owner").isNullOrEmpty();
        assertThat(web0.getSpec().getHostname()).isEqualTo("web-0");
        assertThat(web0.getSpec().getSubdomain()).isEqualTo("web-headless");
        assertThat(web0.getMetadata().getLabels())
                .containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
                .containsEntry("apps.kubernetes.io/pod-index", "0")
                .containsKey("controller-revision-hash");
        assertThat(web0.getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("data");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-web-0");
        });
        // OrderedReady: web-1 waits for web-0 to be Running and Ready
        assertThat(podNames("web")).containsExactly("web-0");

        ready("web-0");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(podNames("web")).containsExactly("web-0", "web-1"));
        assertThat(claim("data-web-1")).isNotNull();
        assertThat(pod("web-2")).isNull();
        ready("web-1");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(podNames("web")).containsExactly("web-0", "web-1", "web-2"));
        ready("web-2");

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            StatefulSetStatus s = status("web");
            assertThat(s.getReplicas()).isEqualTo(3);
            assertThat(s.getReadyReplicas()).isEqualTo(3);
            assertThat(s.getAvailableReplicas()).isEqualTo(3);
            assertThat(s.getCurrentReplicas()).isEqualTo(3);
            assertThat(s.getUpdatedReplicas()).isEqualTo(3);
            assertThat(s.getCurrentRevision()).isEqualTo(s.getUpdateRevision()).startsWith("web-");
            assertThat(s.getObservedGeneration()).isEqualTo(1L);
        });
        assertThat(pod("web-0").getMetadata().getLabels().get("controller-revision-hash"))
                .isEqualTo(status("web").getUpdateRevision());
        assertThat(client.apps().controllerRevisions().inNamespace(NS).withName(status("web").getUpdateRevision()).get())
                .isNotNull();
    }

    @Test
    void scalesDownFromTheHighestOrdinalAndKeepsTheClaims() {
        create(statefulSet("kv", 3, "kv:1"));
        for (int i = 0; i < 3; i++) {
            ready("kv-" + i);
        }
        String uid0 = pod("kv-0").getMetadata().getUid();
        List<List<String>> seen = new ArrayList<>();
        edit("kv", s -> new StatefulSetBuilder(s).editSpec().withReplicas(1).endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            List<String> names = podNames("kv");
            if (seen.isEmpty() || !seen.getLast().equals(names)) {
                seen.add(names);
            }
            assertThat(names).containsExactly("kv-0");
        });
        assertThat(seen).as("kv-2 goes before kv-1").doesNotContain(List.of("kv-0", "kv-2"));
        assertThat(pod("kv-0").getMetadata().getUid()).isEqualTo(uid0);
        assertThat(claim("data-kv-1")).as("claims outlive their pods").isNotNull();
        assertThat(claim("data-kv-2")).isNotNull();

        String claimUid = claim("data-kv-1").getMetadata().getUid();
        edit("kv", s -> new StatefulSetBuilder(s).editSpec().withReplicas(2).endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pod("kv-1")).isNotNull());
        assertThat(claim("data-kv-1").getMetadata().getUid()).as("the same claim comes back").isEqualTo(claimUid);
    }

    @Test
    void rollingUpdateWithPartitionGoesInReverseOrdinalOrder() {
        create(statefulSet("db", 3, "db:1"));
        for (int i = 0; i < 3; i++) {
            ready("db-" + i);
        }
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(status("db").getReadyReplicas()).isEqualTo(3));
        String firstRevision = status("db").getCurrentRevision();

        edit("db", s -> new StatefulSetBuilder(s).editSpec()
                .editUpdateStrategy().editRollingUpdate().withPartition(1).endRollingUpdate().endUpdateStrategy()
                .editTemplate().editSpec().editFirstContainer().withImage("db:2").endContainer().endSpec().endTemplate()
                .endSpec().build());

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod("db-2")).isNotNull();
            assertThat(image(pod("db-2"))).isEqualTo("db:2");
        });
        // db-1 waits until db-2 is Running and Ready again
        assertThat(image(pod("db-1"))).isEqualTo("db:1");
        ready("db-2");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(pod("db-1")).isNotNull();
            assertThat(image(pod("db-1"))).isEqualTo("db:2");
        });
        ready("db-1");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            StatefulSetStatus s = status("db");
            assertThat(s.getUpdatedReplicas()).isEqualTo(2);
            assertThat(s.getCurrentReplicas()).isEqualTo(1);
            assertThat(s.getCurrentRevision()).isEqualTo(firstRevision);
            assertThat(s.getUpdateRevision()).isNotEqualTo(firstRevision);
        });
        assertThat(image(pod("db-0"))).as("below the partition").isEqualTo("db:1");

        // a pod below the partition that is recreated keeps the current revision
        client.pods().inNamespace(NS).withName("db-0").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Pod p = pod("db-0");
            assertThat(p).isNotNull();
            assertThat(p.getMetadata().getLabels().get("controller-revision-hash")).isEqualTo(firstRevision);
        });
        ready("db-0");

        edit("db", s -> new StatefulSetBuilder(s).editSpec()
                .editUpdateStrategy().editRollingUpdate().withPartition(0).endRollingUpdate().endUpdateStrategy()
                .endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(image(pod("db-0"))).isEqualTo("db:2"));
        ready("db-0");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            StatefulSetStatus s = status("db");
            assertThat(s.getUpdatedReplicas()).isEqualTo(3);
            assertThat(s.getCurrentRevision()).isEqualTo(s.getUpdateRevision());
        });
    }

    @Test
    void parallelPolicyCreatesAndDeletesWithoutWaiting() {
        create(new StatefulSetBuilder(statefulSet("par", 3, "p:1")).editSpec().withPodManagementPolicy("Parallel").endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(podNames("par")).containsExactly("par-0", "par-1", "par-2"));
        assertThat(claim("data-par-2")).isNotNull();
        ready("par-1");
        edit("par", s -> new StatefulSetBuilder(s).editSpec().withReplicas(0).endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(podNames("par")).isEmpty());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(status("par").getReplicas()).isZero());
    }

    @Test
    void recreatesAFailedPodUnderTheSameName() {
        create(statefulSet("job", 1, "j:1"));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pod("job-0")).isNotNull());
        Pod first = pod("job-0");
        PodStates.markFailed(client, first, clock.instant());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Pod p = pod("job-0");
            assertThat(p).isNotNull();
            assertThat(p.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
        });
    }

    @Test
    void retentionPolicyDeleteMakesTheSetAndScaledDownPodsOwnTheirClaims() {
        StatefulSet created = create(new StatefulSetBuilder(statefulSet("tmp", 2, "t:1")).editSpec()
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Delete")
                .endPersistentVolumeClaimRetentionPolicy().endSpec().build());
        ready("tmp-0");
        ready("tmp-1");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(claim("data-tmp-1").getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(created.getMetadata().getUid()));
        String podUid = pod("tmp-1").getMetadata().getUid();
        edit("tmp", s -> new StatefulSetBuilder(s).editSpec().withReplicas(1).endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pod("tmp-1")).isNull());
        Map<String, String> owners = claim("data-tmp-1").getMetadata().getOwnerReferences().stream()
                .collect(Collectors.toMap(OwnerReference::getKind, OwnerReference::getUid));
        assertThat(owners).as("the garbage collector deletes the claim with its pod").containsExactlyEntriesOf(Map.of("Pod", podUid));
        assertThat(claim("data-tmp-0").getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getKind).containsExactly("StatefulSet");
    }

    @Test
    void kubectlRolloutStatusReportsTheStatefulSetRolledOut() throws Exception {
        create(statefulSet("app", 2, "a:1"));
        Kubectl kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home-" + System.nanoTime())));
        CompletableFuture<Kubectl.Result> rollout = CompletableFuture.supplyAsync(() ->
                kubectl.run("rollout", "status", "sts/app", "-n", NS, "--timeout=90s"));
        ready("app-0");
        ready("app-1");
        Kubectl.Result r = rollout.get();
        assertThat(r.exit()).as(r.err()).isZero();
        // the API server defaults partition to 0, so kubectl reports a partitioned roll out, as against Kubernetes
        assertThat(r.out()).contains("partitioned roll out complete: 2 new pods have been updated");
    }
}
