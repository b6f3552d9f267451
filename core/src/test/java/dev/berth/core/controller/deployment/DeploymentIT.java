package dev.berth.core.controller.deployment;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.ControllerManager;
import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.replicaset.Pods;
import dev.berth.core.controller.replicaset.ReplicaSets;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deployments driven by the real kubectl against a real API server with the controllers running.
 * Nothing runs pods here: the tests mark them Running and Ready through pods/status.
 */
class DeploymentIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path dir;
    static TestApiServer server;
    static KubernetesClient client;
    static ShiftedClock clock = new ShiftedClock();
    static ControllerContext context;
    static List<Component> controllers;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir.resolve("server"));
        Config config = Config.fromKubeconfig(Files.readString(server.kubeconfig()));
        // generous: this machine may be shared and loaded, and an informer whose first list times out stops
        config.setConnectionTimeout(60_000);
        config.setRequestTimeout(60_000);
        client = new KubernetesClientBuilder().withConfig(config).build();
        // only the controllers under test: the replica set and deployment controllers
        context = ControllerContext.create(client, clock, ControllerManager.COMPONENT);
        controllers = List.of(ReplicaSets.replicaSets(context), new Deployments(context));
        controllers.forEach(Component::start);
        context.informers().start();
        await().atMost(WAIT).until(() -> controllers.stream().allMatch(Component::isReady));
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home")));
    }

    @AfterAll
    static void stop() {
        if (controllers != null) {
            controllers.forEach(Component::close);
            context.informers().close();
            ((ApiEventRecorder) context.events()).close();
        }
        client.close();
        server.close();
    }

    static void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    static String yaml(String ns, String name, int replicas, String image, String strategy) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  replicas: %d
                  selector:
                    matchLabels:
                      app: %s
                  %s
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      containers:
                      - name: c
                        image: %s
                """.formatted(name, ns, replicas, name, strategy, name, image);
    }

    static Kubectl.Result kubectl(String... args) {
        return kubectl.run(args);
    }

    static void apply(String yaml) {
        kubectl.run(yaml, Map.of(), "apply", "-f", "-").ok();
    }

    static List<Pod> activePods(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream().filter(Pods::isActive).toList();
    }

    static String image(Pod p) {
        return p.getSpec().getContainers().getFirst().getImage();
    }

    /** Marks every active pod that is not ready yet Running and Ready, as a node would. */
    static void markAllReady(String ns) {
        for (Pod p : activePods(ns)) {
            if (!Pods.isReady(p)) {
                PodStates.markRunningReady(client, p, clock.instant());
            }
        }
    }

    /** Keeps marking pods ready until the deployment's rollout is complete as kubectl judges it. */
    static void rollOut(String ns, String name) {
        await().atMost(WAIT).until(() -> {
            markAllReady(ns);
            return rolledOut(client.apps().deployments().inNamespace(ns).withName(name).get());
        });
    }

    /** kubectl rollout status' own test of completion. */
    static boolean rolledOut(Deployment d) {
        var s = d.getStatus();
        if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < d.getMetadata().getGeneration()) {
            return false;
        }
        int want = d.getSpec().getReplicas();
        return s.getUpdatedReplicas() != null && s.getUpdatedReplicas() >= want
                && s.getReplicas() != null && s.getReplicas().equals(s.getUpdatedReplicas())
                && s.getAvailableReplicas() != null && s.getAvailableReplicas() >= s.getUpdatedReplicas();
    }

    static List<ReplicaSet> replicaSets(String ns) {
        List<ReplicaSet> l = new ArrayList<>(client.apps().replicaSets().inNamespace(ns).list().getItems());
        l.sort(Comparator.comparing(Rollouts::revision));
        return l;
    }

    static Deployment deployment(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get();
    }

    @Test
    void deploymentReachesItsReplicasAndRolloutStatusReturns() {
        namespace("d-basic");
        apply(yaml("d-basic", "web", 3, "nginx:1.27", ""));
        await().atMost(WAIT).until(() -> activePods("d-basic").size() == 3);
        rollOut("d-basic", "web");

        Kubectl.Result status = kubectl("-n", "d-basic", "rollout", "status", "deployment/web", "--timeout=30s").ok();
        assertThat(status.out()).contains("deployment \"web\" successfully rolled out");

        Deployment d = deployment("d-basic", "web");
        ReplicaSet rs = replicaSets("d-basic").getFirst();
        String hash = rs.getMetadata().getLabels().get("pod-template-hash");
        assertThat(hash).isNotBlank().matches("[bcdfghjklmnpqrstvwxz2456789]+");
        assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
        assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry("pod-template-hash", hash);
        assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1")
                .containsEntry("deployment.kubernetes.io/desired-replicas", "3")
                .containsEntry("deployment.kubernetes.io/max-replicas", "4");
        assertThat(d.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");
        assertThat(activePods("d-basic")).allSatisfy(p ->
                assertThat(p.getMetadata().getLabels()).containsEntry("pod-template-hash", hash));
        assertThat(d.getStatus().getReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getUnavailableReplicas()).isNull();
        assertThat(Rollouts.condition(d.getStatus(), "Available").getReason()).isEqualTo("MinimumReplicasAvailable");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Rollouts.condition(deployment("d-basic", "web").getStatus(),
                "Progressing")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
            assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + rs.getMetadata().getName() + "\" has successfully progressed.");
        }));
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("d-basic").list().getItems())
                .filteredOn(e -> "ScalingReplicaSet".equals(e.getReason()))
                .extracting(e -> e.getMessage()).contains("Scaled up replica set " + rs.getMetadata().getName() + " from 0 to 3"));

        kubectl("-n", "d-basic", "scale", "deployment/web", "--replicas=5").ok();
        await().atMost(WAIT).until(() -> activePods("d-basic").size() == 5);
        rollOut("d-basic", "web");
        assertThat(replicaSets("d-basic")).singleElement()
                .satisfies(r -> assertThat(r.getSpec().getReplicas()).isEqualTo(5));
        kubectl("-n", "d-basic", "scale", "deployment/web", "--replicas=2").ok();
        await().atMost(WAIT).until(() -> activePods("d-basic").size() == 2);
    }

    @Test
    void rollingUpdateWithMaxUnavailableZeroNeverDropsBelowTheDesiredReadyCount() throws Exception {
        namespace("d-roll");
        String strategy = """
                strategy:
                    type: RollingUpdate
                    rollingUpdate:
                      maxSurge: 1
                      maxUnavailable: 0""";
        apply(yaml("d-roll", "web", 3, "nginx:1.27", strategy));
        await().atMost(WAIT).until(() -> activePods("d-roll").size() == 3);
        rollOut("d-roll", "web");

        Map<String, Pod> state = new ConcurrentHashMap<>();
        activePods("d-roll").forEach(p -> state.put(p.getMetadata().getName(), p));
        AtomicInteger minReady = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger maxPods = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        try (Watch w = client.pods().inNamespace("d-roll").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.DELETED || !Pods.isActive(pod)) {
                    state.remove(pod.getMetadata().getName());
                } else {
                    state.put(pod.getMetadata().getName(), pod);
                }
                if (watching.get()) {
                    minReady.accumulateAndGet((int) state.values().stream().filter(Pods::isReady).count(), Math::min);
                    maxPods.accumulateAndGet(state.size(), Math::max);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            kubectl("-n", "d-roll", "set", "image", "deployment/web", "c=nginx:1.28").ok();
            for (int step = 0; step < 12 && !rolledOut(deployment("d-roll", "web")); step++) {
                // wait for the controllers to act, then make one new pod ready
                await().atMost(WAIT).until(() -> rolledOut(deployment("d-roll", "web"))
                        || activePods("d-roll").stream().anyMatch(p -> !Pods.isReady(p)));
                activePods("d-roll").stream().filter(p -> !Pods.isReady(p)).findFirst()
                        .ifPresent(p -> PodStates.markRunningReady(client, p, clock.instant()));
            }
            await().atMost(WAIT).until(() -> rolledOut(deployment("d-roll", "web"))
                    && activePods("d-roll").stream().allMatch(p -> image(p).equals("nginx:1.28")));
            watching.set(false);
        }
        assertThat(minReady.get()).isGreaterThanOrEqualTo(3);
        assertThat(maxPods.get()).isLessThanOrEqualTo(4); // maxSurge 1
        assertThat(activePods("d-roll")).hasSize(3);
        List<ReplicaSet> rss = replicaSets("d-roll");
        assertThat(rss).hasSize(2);
        assertThat(rss.get(0).getSpec().getReplicas()).isZero();
        assertThat(rss.get(1).getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        kubectl("-n", "d-roll", "rollout", "status", "deployment/web", "--timeout=30s").ok();
    }

    @Test
    void recreateStopsEveryOldPodBeforeStartingNewOnes() throws Exception {
        namespace("d-recreate");
        apply(yaml("d-recreate", "web", 2, "nginx:1.27", "strategy:\n    type: Recreate"));
        await().atMost(WAIT).until(() -> activePods("d-recreate").size() == 2);
        rollOut("d-recreate", "web");

        Map<String, Pod> state = new ConcurrentHashMap<>();
        activePods("d-recreate").forEach(p -> state.put(p.getMetadata().getName(), p));
        AtomicBoolean mixed = new AtomicBoolean();
        try (Watch w = client.pods().inNamespace("d-recreate").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.DELETED) {
                    state.remove(pod.getMetadata().getName());
                } else {
                    state.put(pod.getMetadata().getName(), pod);
                }
                if (state.values().stream().map(DeploymentIT::image).distinct().count() > 1) {
                    mixed.set(true);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            kubectl("-n", "d-recreate", "set", "image", "deployment/web", "c=nginx:1.28").ok();
            await().atMost(WAIT).until(() -> activePods("d-recreate").size() == 2
                    && activePods("d-recreate").stream().allMatch(p -> image(p).equals("nginx:1.28")));
            rollOut("d-recreate", "web");
        }
        assertThat(mixed).as("old and new pods existed at the same time").isFalse();
        assertThat(replicaSets("d-recreate")).extracting(r -> r.getSpec().getReplicas()).containsExactly(0, 2);
    }

    @Test
    void historyUndoAndRestartReuseAndCreateReplicaSetsWithNewRevisions() {
        namespace("d-undo");
        apply(yaml("d-undo", "web", 2, "nginx:1.27", ""));
        await().atMost(WAIT).until(() -> activePods("d-undo").size() == 2);
        rollOut("d-undo", "web");
        kubectl("-n", "d-undo", "set", "image", "deployment/web", "c=nginx:1.28").ok();
        await().atMost(WAIT).until(() -> replicaSets("d-undo").size() == 2);
        rollOut("d-undo", "web");
        await().atMost(WAIT).until(() -> activePods("d-undo").stream().allMatch(p -> image(p).equals("nginx:1.28")));
        String firstRs = replicaSets("d-undo").getFirst().getMetadata().getName();

        String history = kubectl("-n", "d-undo", "rollout", "history", "deployment/web").ok().out();
        assertThat(history).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
        assertThat(kubectl("-n", "d-undo", "rollout", "history", "deployment/web", "--revision=1").ok().out())
                .contains("nginx:1.27");

        kubectl("-n", "d-undo", "rollout", "undo", "deployment/web").ok();
        await().atMost(WAIT).until(() -> {
            markAllReady("d-undo");
            return rolledOut(deployment("d-undo", "web"))
                    && activePods("d-undo").stream().allMatch(p -> image(p).equals("nginx:1.27"));
        });
        List<ReplicaSet> rss = replicaSets("d-undo");
        assertThat(rss).hasSize(2);
        ReplicaSet reused = rss.getLast();
        assertThat(reused.getMetadata().getName()).isEqualTo(firstRs);
        assertThat(reused.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
                .containsEntry("deployment.kubernetes.io/revision-history", "1");
        assertThat(deployment("d-undo", "web").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "3");
        history = kubectl("-n", "d-undo", "rollout", "history", "deployment/web").ok().out();
        assertThat(history).containsPattern("(?m)^2\\s").containsPattern("(?m)^3\\s").doesNotContainPattern("(?m)^1\\s");

        kubectl("-n", "d-undo", "rollout", "restart", "deployment/web").ok();
        await().atMost(WAIT).until(() -> replicaSets("d-undo").size() == 3);
        rollOut("d-undo", "web");
        await().atMost(WAIT).until(() -> activePods("d-undo").size() == 2);
        ReplicaSet restarted = replicaSets("d-undo").getLast();
        assertThat(restarted.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "4");
        assertThat(restarted.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("kubectl.kubernetes.io/restartedAt");
        assertThat(activePods("d-undo")).allSatisfy(p -> assertThat(p.getMetadata().getLabels())
                .containsEntry("pod-template-hash", restarted.getMetadata().getLabels().get("pod-template-hash")));
    }

    @Test
    void oldReplicaSetsBeyondTheRevisionHistoryLimitAreDeleted() {
        namespace("d-history");
        apply(yaml("d-history", "web", 1, "nginx:1.25", "revisionHistoryLimit: 1"));
        rollOut("d-history", "web");
        for (String image : List.of("nginx:1.26", "nginx:1.27")) {
            kubectl("-n", "d-history", "set", "image", "deployment/web", "c=" + image).ok();
            await().atMost(WAIT).until(() -> {
                markAllReady("d-history");
                return rolledOut(deployment("d-history", "web"))
                        && activePods("d-history").stream().allMatch(p -> image(p).equals(image));
            });
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSets("d-history"))
                .extracting(Rollouts::revision).containsExactly(2L, 3L));
    }

    @Test
    void scalingMidRolloutSharesTheNewReplicasAmongOldAndNewReplicaSetsBySize() {
        namespace("d-proportional");
        String strategy = """
                strategy:
                    rollingUpdate:
                      maxSurge: 2
                      maxUnavailable: 0""";
        apply(yaml("d-proportional", "web", 4, "nginx:1.27", strategy));
        rollOut("d-proportional", "web");
        kubectl("-n", "d-proportional", "set", "image", "deployment/web", "c=nginx:1.28").ok();
        // the new pods never become ready: the rollout stays half way, 4 old and 2 new
        await().atMost(WAIT).until(() -> replicaSets("d-proportional").size() == 2
                && replicaSets("d-proportional").getLast().getSpec().getReplicas() == 2);

        kubectl("-n", "d-proportional", "scale", "deployment/web", "--replicas=8").ok();
        // 8 + maxSurge 2 = 10 replicas, shared 4:2 by size (as Kubernetes: 7 and 3)
        await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSets("d-proportional"))
                .extracting(r -> r.getSpec().getReplicas()).containsExactly(7, 3));
        assertThat(replicaSets("d-proportional")).allSatisfy(r -> assertThat(r.getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/desired-replicas", "8")
                .containsEntry("deployment.kubernetes.io/max-replicas", "10"));
    }

    @Test
    void pausedDeploymentScalesButDoesNotRollOutUntilResumed() {
        namespace("d-pause");
        apply(yaml("d-pause", "web", 2, "nginx:1.27", ""));
        await().atMost(WAIT).until(() -> activePods("d-pause").size() == 2);
        rollOut("d-pause", "web");

        kubectl("-n", "d-pause", "rollout", "pause", "deployment/web").ok();
        await().atMost(WAIT).untilAsserted(() -> assertThat(Rollouts.condition(deployment("d-pause", "web").getStatus(),
                "Progressing")).satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("DeploymentPaused");
            assertThat(c.getStatus()).isEqualTo("Unknown");
        }));
        kubectl("-n", "d-pause", "set", "image", "deployment/web", "c=nginx:1.28").ok();
        kubectl("-n", "d-pause", "scale", "deployment/web", "--replicas=4").ok();
        await().atMost(WAIT).until(() -> activePods("d-pause").size() == 4);
        markAllReady("d-pause");
        await().atMost(WAIT).until(() -> deployment("d-pause", "web").getStatus().getObservedGeneration()
                >= deployment("d-pause", "web").getMetadata().getGeneration());
        assertThat(replicaSets("d-pause")).singleElement().satisfies(r -> assertThat(r.getSpec().getReplicas()).isEqualTo(4));
        assertThat(activePods("d-pause")).allMatch(p -> image(p).equals("nginx:1.27"));

        kubectl("-n", "d-pause", "rollout", "resume", "deployment/web").ok();
        await().atMost(WAIT).until(() -> replicaSets("d-pause").size() == 2);
        rollOut("d-pause", "web");
        await().atMost(WAIT).until(() -> activePods("d-pause").size() == 4
                && activePods("d-pause").stream().allMatch(p -> image(p).equals("nginx:1.28")));
    }

    @Test
    void aRolloutThatMakesNoProgressExceedsItsDeadlineOnTheInjectedClock() {
        namespace("d-deadline");
        apply(yaml("d-deadline", "web", 2, "nginx:1.27", "progressDeadlineSeconds: 60"));
        await().atMost(WAIT).until(() -> activePods("d-deadline").size() == 2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(Rollouts.condition(deployment("d-deadline", "web").getStatus(),
                "Progressing").getReason()).isIn("NewReplicaSetCreated", "ReplicaSetUpdated"));
        assertThat(Rollouts.condition(deployment("d-deadline", "web").getStatus(), "Available").getReason())
                .isEqualTo("MinimumReplicasUnavailable");

        clock.advance(Duration.ofSeconds(61));
        await().atMost(WAIT).untilAsserted(() -> assertThat(Rollouts.condition(deployment("d-deadline", "web").getStatus(),
                "Progressing")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
            assertThat(c.getMessage()).endsWith("has timed out progressing.");
        }));
        Kubectl.Result status = kubectl("-n", "d-deadline", "rollout", "status", "deployment/web", "--timeout=20s");
        assertThat(status.exit()).isNotZero();
        assertThat(status.err()).contains("exceeded its progress deadline");

        // progress resumes once pods become ready
        markAllReady("d-deadline");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Rollouts.condition(deployment("d-deadline", "web").getStatus(),
                "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable"));
    }
}
