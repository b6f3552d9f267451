package dev.berth.core.scheduler;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SchedulerIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static KubernetesClient client;
    static ControllerContext context;
    static Scheduler scheduler;
    static int tests;
    /** Each test works in its own namespace; nodes and cluster-scoped objects are removed after it. */
    String ns;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        context = ControllerContext.create(client, Clock.systemUTC(), "test");
        scheduler = new Scheduler(context);
        scheduler.start();
        context.informers().start();
        await().atMost(WAIT).until(scheduler::isReady);
    }

    @AfterAll
    static void stopCluster() {
        scheduler.close();
        context.informers().close();
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        ns = "t" + (++tests);
        cluster.createNamespace(ns);
    }

    @AfterEach
    void removeNodesAndPods() {
        client.pods().inNamespace(ns).withGracePeriod(0).delete();
        client.nodes().delete();
        client.persistentVolumes().delete();
        client.storage().v1().storageClasses().delete();
        client.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).withName("high").delete();
        client.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).withName("polite").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
            assertThat(scheduler.cache().podCount()).isZero();
            assertThat(scheduler.cache().nodeCount()).isZero();
        });
    }

    private void createNode(Node node) {
        client.nodes().resource(node).create();
    }

    private Pod create(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    private String nodeOf(String name) {
        Pod p = client.pods().inNamespace(ns).withName(name).get();
        return p == null ? null : p.getSpec().getNodeName();
    }

    private void awaitBound(String... names) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (String n : names) {
                assertThat(nodeOf(n)).as("node of " + n).isNotNull();
            }
        });
    }

    private List<Event> events(String pod, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .toList();
    }

    private PodCondition scheduledCondition(String name) {
        Pod p = client.pods().inNamespace(ns).withName(name).get();
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
    }

    @Test
    void bindsPendingPodsThroughTheBindingSubresourceAndRecordsScheduled() {
        for (int i = 1; i <= 3; i++) {
            createNode(Nodes.node("node-" + i));
        }
        for (int i = 0; i < 6; i++) {
            create(Nodes.pod(ns, "web-" + i, "100m", "128Mi").build());
        }
        awaitBound("web-0", "web-1", "web-2", "web-3", "web-4", "web-5");
        Pod bound = client.pods().inNamespace(ns).withName("web-0").get();
        assertThat(bound.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(events("web-0", "Scheduled")).singleElement().satisfies(e -> {
            assertThat(e.getMessage()).isEqualTo("Successfully assigned " + ns + "/web-0 to " + bound.getSpec().getNodeName());
            assertThat(e.getReportingComponent()).isEqualTo("default-scheduler");
            assertThat(e.getType()).isEqualTo("Normal");
        }));
        // least allocated + balanced: six equal pods spread two per node
        Map<String, Long> perNode = client.pods().inNamespace(ns).list().getItems().stream()
                .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(), Collectors.counting()));
        assertThat(perNode).containsOnlyKeys("node-1", "node-2", "node-3").allSatisfy((n, c) -> assertThat(c).isEqualTo(2L));
    }

    @Test
    void leavesPodsOfOtherSchedulersAndGatedPodsAlone() {
        createNode(Nodes.node("node-1"));
        create(Nodes.pod(ns, "custom", null, null).editSpec().withSchedulerName("my-scheduler").endSpec().build());
        create(Nodes.pod(ns, "default", null, null).build());
        create(Nodes.pod(ns, "gated", null, null).editSpec().addNewSchedulingGate().withName("example.com/wait")
                .endSchedulingGate().endSpec().build());
        awaitBound("default");
        assertThat(nodeOf("custom")).isNull();
        assertThat(nodeOf("gated")).isNull();

        client.pods().inNamespace(ns).withName("gated").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editSpec().withSchedulingGates(List.of()).endSpec().build());
        awaitBound("gated");
        assertThat(nodeOf("custom")).isNull();
    }

    @Test
    void podThatFitsNowhereGetsFailedSchedulingWithSummedReasonsAndIsPlacedWhenANodeArrives() {
        createNode(Nodes.node("tainted", "8", "16Gi", 110).editSpec().addNewTaint().withKey("node-role")
                .withValue("x").withEffect("NoSchedule").endTaint().endSpec().build());
        createNode(Nodes.node("small-1", "2", "1Gi", 110).build());
        createNode(Nodes.node("small-2", "2", "1Gi", 110).build());
        create(Nodes.pod(ns, "big", "100m", "2Gi").build());

        String expected = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role: x}, 2 Insufficient memory."
                + " preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,"
                + " 2 No preemption victims found for incoming pod..";
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(events("big", "FailedScheduling")).singleElement().satisfies(e -> {
                assertThat(e.getMessage()).isEqualTo(expected);
                assertThat(e.getType()).isEqualTo("Warning");
            });
            PodCondition c = scheduledCondition("big");
            assertThat(c).isNotNull();
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("Unschedulable");
            assertThat(c.getMessage()).isEqualTo(expected);
        });
        assertThat(nodeOf("big")).isNull();

        createNode(Nodes.node("large", "4", "8Gi", 110).build());
        awaitBound("big");
        assertThat(nodeOf("big")).isEqualTo("large");
    }

    @Test
    void tolerationsNodeSelectorAndNodeAffinityChooseTheNode() {
        createNode(Nodes.node("gpu", "4", "8Gi", 110).editMetadata().addToLabels("zone", "a").endMetadata()
                .editSpec().addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint().endSpec().build());
        createNode(Nodes.node("plain-a", "4", "8Gi", 110).editMetadata().addToLabels("zone", "a").addToLabels("disk", "ssd").endMetadata().build());
        createNode(Nodes.node("plain-b", "4", "8Gi", 110).editMetadata().addToLabels("zone", "b").endMetadata().build());

        create(Nodes.pod(ns, "tolerant", null, null).editSpec()
                .addNewToleration().withKey("dedicated").withOperator("Equal").withValue("gpu").withEffect("NoSchedule").endToleration()
                .addToNodeSelector("kubernetes.io/hostname", "gpu").endSpec().build());
        create(Nodes.pod(ns, "ssd", null, null).editSpec().addToNodeSelector("disk", "ssd").endSpec().build());
        create(Nodes.pod(ns, "zone-b", null, null).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("zone").withOperator("NotIn").withValues("a").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build());
        awaitBound("tolerant", "ssd", "zone-b");
        assertThat(nodeOf("tolerant")).isEqualTo("gpu");
        assertThat(nodeOf("ssd")).isEqualTo("plain-a");
        assertThat(nodeOf("zone-b")).isEqualTo("plain-b");
    }

    @Test
    void requiredAntiAffinityPutsOneReplicaPerNodeAndReportsTheRest() {
        for (int i = 1; i <= 3; i++) {
            createNode(Nodes.node("node-" + i));
        }
        for (int i = 0; i < 4; i++) {
            create(Nodes.pod(ns, "db-" + i, "100m", null).editMetadata().addToLabels("app", "db").endMetadata()
                    .editSpec().withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "db").build())
                    .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endPodAntiAffinity().endAffinity().endSpec().build());
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName() != null).map(p -> p.getSpec().getNodeName()).toList())
                .containsExactlyInAnyOrder("node-1", "node-2", "node-3"));
        String pending = client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName() == null).findFirst().orElseThrow().getMetadata().getName();
        await().atMost(WAIT).untilAsserted(() -> assertThat(events(pending, "FailedScheduling")).singleElement()
                .extracting(Event::getMessage).isEqualTo("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
                        + " preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.."));
    }

    @Test
    void requiredPodAffinityFollowsTheFirstPodOfTheGroup() {
        for (int i = 1; i <= 3; i++) {
            createNode(Nodes.node("node-" + i));
        }
        create(Nodes.pod(ns, "cache", null, null).editMetadata().addToLabels("app", "cache").endMetadata().build());
        awaitBound("cache");
        create(Nodes.pod(ns, "web", null, null).editSpec().withNewAffinity().withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "cache").build())
                .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity().endSpec().build());
        awaitBound("web");
        assertThat(nodeOf("web")).isEqualTo(nodeOf("cache"));
    }

    @Test
    void topologySpreadBalancesZones() {
        createNode(Nodes.node("a-1").edit().editMetadata().addToLabels("zone", "a").endMetadata().build());
        createNode(Nodes.node("a-2").edit().editMetadata().addToLabels("zone", "a").endMetadata().build());
        createNode(Nodes.node("b-1").edit().editMetadata().addToLabels("zone", "b").endMetadata().build());
        for (int i = 0; i < 4; i++) {
            create(Nodes.pod(ns, "spread-" + i, null, null).editMetadata().addToLabels("app", "spread").endMetadata()
                    .editSpec().addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("zone")
                    .withWhenUnsatisfiable("DoNotSchedule")
                    .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "spread").build())
                    .endTopologySpreadConstraint().endSpec().build());
        }
        awaitBound("spread-0", "spread-1", "spread-2", "spread-3");
        Map<String, Integer> perZone = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            perZone.merge(nodeOf("spread-" + i).startsWith("a-") ? "a" : "b", 1, Integer::sum);
        }
        assertThat(perZone).containsEntry("a", 2).containsEntry("b", 2);
    }

    @Test
    void higherPriorityPodPreemptsALowerOne() {
        client.resource(new PriorityClassBuilder().withNewMetadata().withName("high").endMetadata().withValue(1000).build()).create();
        createNode(Nodes.node("only", "1", "2Gi", 110).build());
        create(Nodes.pod(ns, "low", "800m", null).build());
        awaitBound("low");
        create(Nodes.pod(ns, "high", "500m", null).editSpec().withPriorityClassName("high").endSpec().build());

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(events("low", "Preempted")).singleElement().extracting(Event::getMessage).asString()
                    .startsWith("Preempted by pod ").endsWith(" on node only");
            Pod low = client.pods().inNamespace(ns).withName("low").get();
            assertThat(low == null || low.getMetadata().getDeletionTimestamp() != null).isTrue();
            Pod high = client.pods().inNamespace(ns).withName("high").get();
            assertThat(high.getStatus().getNominatedNodeName()).isEqualTo("only");
        });
        Pod low = client.pods().inNamespace(ns).withName("low").get();
        if (low != null) {
            assertThat(low.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("DisruptionTarget");
                assertThat(c.getReason()).isEqualTo("PreemptionByScheduler");
            });
            // the node agent finishes the graceful deletion
            client.pods().inNamespace(ns).withName("low").withGracePeriod(0).delete();
        }
        awaitBound("high");
        assertThat(nodeOf("high")).isEqualTo("only");
    }

    @Test
    void preemptionPolicyNeverWaitsInsteadOfEvicting() {
        client.resource(new PriorityClassBuilder().withNewMetadata().withName("polite").endMetadata().withValue(1000)
                .withPreemptionPolicy("Never").build()).create();
        createNode(Nodes.node("only", "1", "2Gi", 110).build());
        create(Nodes.pod(ns, "low", "800m", null).build());
        awaitBound("low");
        create(Nodes.pod(ns, "polite", "500m", null).editSpec().withPriorityClassName("polite").endSpec().build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(events("polite", "FailedScheduling")).singleElement()
                .extracting(Event::getMessage).isEqualTo("0/1 nodes are available: 1 Insufficient cpu."
                        + " preemption: not eligible due to preemptionPolicy=Never.."));
        assertThat(client.pods().inNamespace(ns).withName("low").get().getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void waitForFirstConsumerClaimGetsTheSelectedNodeAndABoundLocalVolumePinsThePod() {
        createNode(Nodes.node("node-1"));
        createNode(Nodes.node("node-2"));
        client.resource(new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner("rancher.io/local-path").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        client.persistentVolumeClaims().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").endMetadata().withNewSpec().withStorageClassName("local-path")
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec().build()).create();
        create(Nodes.pod(ns, "writer", null, null).editSpec().addNewVolume().withName("data")
                .withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().endVolume().endSpec().build());
        awaitBound("writer");
        assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("data").get().getMetadata().getAnnotations())
                .containsEntry("volume.kubernetes.io/selected-node", nodeOf("writer"));

        client.persistentVolumes().resource(new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                .withNewMetadata().withName("pv-on-2").endMetadata().withNewSpec()
                .addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                .withNewHostPath().withPath("/var/lib/berth/storage/pv-on-2").endHostPath()
                .withStorageClassName("manual")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues("node-2").endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build()).create();
        client.persistentVolumeClaims().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("pinned").endMetadata().withNewSpec().withStorageClassName("manual")
                .withVolumeName("pv-on-2").withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
        for (int i = 0; i < 3; i++) {
            create(Nodes.pod(ns, "reader-" + i, null, null).editSpec().addNewVolume().withName("data")
                    .withNewPersistentVolumeClaim().withClaimName("pinned").endPersistentVolumeClaim().endVolume().endSpec().build());
        }
        awaitBound("reader-0", "reader-1", "reader-2");
        assertThat(List.of(nodeOf("reader-0"), nodeOf("reader-1"), nodeOf("reader-2"))).containsOnly("node-2");
    }
}
