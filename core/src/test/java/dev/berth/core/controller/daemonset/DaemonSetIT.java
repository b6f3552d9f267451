package dev.berth.core.controller.daemonset;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The DaemonSet controller against a real API server; the test plays the nodes' part. */
class DaemonSetIT {
    private static final String NS = "daemons";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static TestApiServer server;
    private static KubernetesClient client;
    private static Clock clock;
    private static ControllerContext context;
    private static DaemonSets controller;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .withNewSpec().addToFinalizers("kubernetes").endSpec().build()).create();
        clock = Clock.systemUTC();
        context = ControllerContext.create(client, clock, "controller-manager");
        controller = new DaemonSets(context, 1);
        controller.start();
        context.informers().start();
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

    /** Each test starts with no nodes and no DaemonSets. */
    @AfterEach
    void cleanUp() {
        client.apps().daemonSets().inNamespace(NS).delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(context.informers().list(DaemonSet.class)).isEmpty());
        client.apps().controllerRevisions().inNamespace(NS).delete();
        client.pods().inNamespace(NS).delete();
        client.nodes().delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(client.nodes().list().getItems()).isEmpty();
            assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        });
    }

    private Node node(String name, Map<String, String> labels, Taint... taints) {
        return client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
    }

    private DaemonSet daemonSet(String name, String image) {
        return new DaemonSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec()
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage(image).endContainer().endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private List<Pod> pods(String app) {
        return client.pods().inNamespace(NS).withLabel("app", app).list().getItems();
    }

    /** The node each pod is pinned to through required node affinity. */
    private static Set<String> pinnedNodes(List<Pod> pods) {
        return pods.stream().map(DaemonSetReconciler::targetNode).collect(Collectors.toSet());
    }

    private DaemonSetStatus status(String name) {
        return client.apps().daemonSets().inNamespace(NS).withName(name).get().getStatus();
    }

    private void markAllReady(String app) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            for (Pod p : pods(app)) {
                if (!DaemonSetReconciler.isReady(p)) {
                    PodStates.markRunningReady(client, p, clock.instant());
                }
            }
            assertThat(pods(app)).allMatch(DaemonSetReconciler::isReady);
        });
    }

    @Test
    void runsOnePodOnEveryNodeIncludingANodeAddedLater() {
        node("n1", Map.of());
        node("n2", Map.of());
        client.apps().daemonSets().inNamespace(NS).resource(daemonSet("logs", "logs:1")).create();

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pinnedNodes(pods("logs"))).containsExactlyInAnyOrder("n1", "n2"));
        Pod pod = pods("logs").getFirst();
        assertThat(pod.getSpec().getNodeName()).as("the scheduler binds daemon pods").isNull();
        NodeSelectorRequirement pin = pod.getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst().getMatchFields().getFirst();
        assertThat(pin.getKey()).isEqualTo("metadata.name");
        assertThat(pin.getOperator()).isEqualTo("In");
        assertThat(pod.getSpec().getTolerations()).extracting(Toleration::getKey).contains(
                "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable");
        assertThat(pod.getMetadata().getLabels()).containsKey("controller-revision-hash");
        assertThat(pod.getMetadata().getOwnerReferences().getFirst().getKind()).isEqualTo("DaemonSet");

        node("n3", Map.of());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(pinnedNodes(pods("logs"))).containsExactlyInAnyOrder("n1", "n2", "n3");
            assertThat(pods("logs")).hasSize(3);
        });
        markAllReady("logs");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            DaemonSetStatus s = status("logs");
            assertThat(s.getDesiredNumberScheduled()).as("desiredNumberScheduled").isEqualTo(3);
            assertThat(s.getCurrentNumberScheduled()).as("currentNumberScheduled").isEqualTo(3);
            assertThat(s.getNumberReady()).as("numberReady").isEqualTo(3);
            assertThat(s.getNumberAvailable()).as("numberAvailable").isEqualTo(3);
            assertThat(s.getNumberUnavailable()).as("numberUnavailable").isZero();
            assertThat(s.getUpdatedNumberScheduled()).as("updatedNumberScheduled").isEqualTo(3);
            assertThat(s.getNumberMisscheduled()).as("numberMisscheduled").isZero();
            assertThat(s.getObservedGeneration()).as("observedGeneration").isEqualTo(1L);
        });
        assertThat(client.apps().controllerRevisions().inNamespace(NS).list().getItems())
                .filteredOn(r -> r.getMetadata().getName().startsWith("logs-"))
                .singleElement().satisfies(r -> assertThat(r.getRevision()).isEqualTo(1L));

        client.nodes().withName("n2").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pinnedNodes(pods("logs"))).containsExactlyInAnyOrder("n1", "n3"));
    }

    @Test
    void respectsNodeSelectorAndTaintsButNotUnschedulable() {
        node("ssd", Map.of("disk", "ssd"));
        node("hdd", Map.of("disk", "hdd"));
        node("tainted", Map.of("disk", "ssd"), new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build());
        node("cordoned", Map.of("disk", "ssd"));
        client.nodes().withName("cordoned").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        DaemonSet ds = new DaemonSetBuilder(daemonSet("cache", "cache:1")).editSpec().editTemplate().editSpec()
                .addToNodeSelector("disk", "ssd").endSpec().endTemplate().endSpec().build();
        client.apps().daemonSets().inNamespace(NS).resource(ds).create();

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(pinnedNodes(pods("cache"))).containsExactlyInAnyOrder("ssd", "cordoned");
            assertThat(status("cache").getDesiredNumberScheduled()).isEqualTo(2);
        });

        client.apps().daemonSets().inNamespace(NS).withName("cache").edit(d -> new DaemonSetBuilder(d).editSpec()
                .editTemplate().editSpec().addNewToleration().withKey("dedicated").withOperator("Equal").withValue("db")
                .withEffect("NoSchedule").endToleration().endSpec().endTemplate().endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(pinnedNodes(pods("cache"))).containsExactlyInAnyOrder("ssd", "cordoned", "tainted"));

        // a node that stops matching loses its pod
        client.nodes().withName("ssd").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("disk", "hdd").endMetadata().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(pinnedNodes(pods("cache"))).containsExactlyInAnyOrder("cordoned", "tainted"));

        // a NoExecute taint the pod does not tolerate evicts it
        client.nodes().withName("cordoned").edit(n -> new NodeBuilder(n).editSpec().addNewTaint().withKey("maintenance")
                .withEffect("NoExecute").endTaint().endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(pinnedNodes(pods("cache"))).containsExactlyInAnyOrder("tainted"));
    }

    @Test
    void rollingUpdateReplacesPodsNoMoreThanMaxUnavailableAtATime() {
        for (String n : List.of("a", "b", "c", "d")) {
            node(n, Map.of());
        }
        client.apps().daemonSets().inNamespace(NS).resource(daemonSet("proxy", "proxy:1")).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("proxy")).hasSize(4));
        markAllReady("proxy");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(status("proxy").getNumberAvailable()).isEqualTo(4));
        String oldHash = pods("proxy").getFirst().getMetadata().getLabels().get("controller-revision-hash");

        client.apps().daemonSets().inNamespace(NS).withName("proxy").edit(d -> new DaemonSetBuilder(d).editSpec()
                .editTemplate().editSpec().editFirstContainer().withImage("proxy:2").endContainer().endSpec().endTemplate()
                .endSpec().build());

        // play the nodes: start every new pod; check that at most one node (maxUnavailable 1) lacks a ready pod
        int[] maxSeenUnavailable = {0};
        Set<String> replaced = new HashSet<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<Pod> now = pods("proxy");
            Set<String> readyNodes = now.stream().filter(DaemonSetReconciler::isReady)
                    .map(DaemonSetReconciler::targetNode).collect(Collectors.toSet());
            maxSeenUnavailable[0] = Math.max(maxSeenUnavailable[0], 4 - readyNodes.size());
            now.stream().filter(p -> "proxy:2".equals(p.getSpec().getContainers().getFirst().getImage()))
                    .forEach(p -> replaced.add(DaemonSetReconciler.targetNode(p)));
            boolean done = now.size() == 4 && now.stream().allMatch(p -> DaemonSetReconciler.isReady(p)
                    && "proxy:2".equals(p.getSpec().getContainers().getFirst().getImage()));
            for (Pod p : now) {
                if (!DaemonSetReconciler.isReady(p) && p.getMetadata().getDeletionTimestamp() == null) {
                    try {
                        PodStates.markRunningReady(client, p, clock.instant());
                    } catch (RuntimeException gone) {
                        // deleted meanwhile
                    }
                }
            }
            return done;
        });
        assertThat(replaced).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(maxSeenUnavailable[0]).isLessThanOrEqualTo(1);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            DaemonSetStatus s = status("proxy");
            assertThat(s.getUpdatedNumberScheduled()).as("updatedNumberScheduled").isEqualTo(4);
            assertThat(s.getNumberAvailable()).as("numberAvailable").isEqualTo(4);
            assertThat(s.getObservedGeneration()).as("observedGeneration").isEqualTo(2L);
        });
        String newHash = pods("proxy").getFirst().getMetadata().getLabels().get("controller-revision-hash");
        assertThat(newHash).isNotEqualTo(oldHash);
        assertThat(client.apps().controllerRevisions().inNamespace(NS).list().getItems())
                .filteredOn(r -> r.getMetadata().getName().startsWith("proxy-"))
                .extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder("proxy-" + oldHash, "proxy-" + newHash);
    }

    @Test
    void surgeStartsTheNewPodBeforeTheOldOneGoes() {
        node("a", Map.of());
        DaemonSet ds = new DaemonSetBuilder(daemonSet("surge", "s:1")).editSpec().withNewUpdateStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withNewMaxSurge(1).withNewMaxUnavailable(0)
                .endRollingUpdate().endUpdateStrategy().endSpec().build();
        client.apps().daemonSets().inNamespace(NS).resource(ds).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("surge")).hasSize(1));
        markAllReady("surge");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(status("surge").getNumberAvailable()).isEqualTo(1));
        String oldPod = pods("surge").getFirst().getMetadata().getName();

        client.apps().daemonSets().inNamespace(NS).withName("surge").edit(d -> new DaemonSetBuilder(d).editSpec()
                .editTemplate().editSpec().editFirstContainer().withImage("s:2").endContainer().endSpec().endTemplate()
                .endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("surge")).hasSize(2));
        assertThat(pods("surge")).extracting(p -> p.getMetadata().getName()).contains(oldPod);
        Pod fresh = pods("surge").stream().filter(p -> !p.getMetadata().getName().equals(oldPod)).findFirst().orElseThrow();
        markAllReady("surge");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("surge"))
                .singleElement().satisfies(p -> assertThat(p.getMetadata().getName()).isEqualTo(fresh.getMetadata().getName())));
    }

    @Test
    void onDeleteReplacesOnlyPodsSomeoneDeleted() {
        node("a", Map.of());
        node("b", Map.of());
        DaemonSet ds = new DaemonSetBuilder(daemonSet("manual", "m:1")).editSpec().withNewUpdateStrategy()
                .withType("OnDelete").endUpdateStrategy().endSpec().build();
        client.apps().daemonSets().inNamespace(NS).resource(ds).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("manual")).hasSize(2));
        markAllReady("manual");
        client.apps().daemonSets().inNamespace(NS).withName("manual").edit(d -> new DaemonSetBuilder(d).editSpec()
                .editTemplate().editSpec().editFirstContainer().withImage("m:2").endContainer().endSpec().endTemplate()
                .endSpec().build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(status("manual").getObservedGeneration()).isEqualTo(2L));
        assertThat(pods("manual")).allSatisfy(p -> assertThat(p.getSpec().getContainers().getFirst().getImage()).isEqualTo("m:1"));
        assertThat(status("manual").getUpdatedNumberScheduled()).isZero();

        Pod onA = pods("manual").stream().filter(p -> "a".equals(DaemonSetReconciler.targetNode(p))).findFirst().orElseThrow();
        client.pods().inNamespace(NS).withName(onA.getMetadata().getName()).delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Map<String, String> images = pods("manual").stream().collect(Collectors.toMap(DaemonSetReconciler::targetNode,
                    p -> p.getSpec().getContainers().getFirst().getImage()));
            assertThat(images).containsExactlyInAnyOrderEntriesOf(Map.of("a", "m:2", "b", "m:1"));
        });
    }

    @Test
    void replacesAFailedDaemonPod() {
        node("a", Map.of());
        client.apps().daemonSets().inNamespace(NS).resource(daemonSet("flaky", "f:1")).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("flaky")).hasSize(1));
        Pod first = pods("flaky").getFirst();
        PodStates.markFailed(client, first, clock.instant());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("flaky")).singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid())));
    }

    @Test
    void kubectlRolloutStatusReportsTheDaemonSetRolledOut() throws Exception {
        node("a", Map.of());
        node("b", Map.of());
        client.apps().daemonSets().inNamespace(NS).resource(daemonSet("web", "w:1")).create();
        Kubectl kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home-" + System.nanoTime())));
        CompletableFuture<Kubectl.Result> rollout = CompletableFuture.supplyAsync(() ->
                kubectl.run("rollout", "status", "ds/web", "-n", NS, "--timeout=60s"));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(pods("web")).hasSize(2));
        markAllReady("web");
        Kubectl.Result r = rollout.get();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("daemon set \"web\" successfully rolled out");
    }
}
