package dev.berth.app.logs;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.testing.LocalAgentCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A workload's logs merged: a real API server proxies each pod's log to a real agent stream
 * server (pods run as local processes), and the logs view interleaves the pods' lines by their
 * timestamps, tags them, follows a pod that starts later, searches and saves.
 */
@ExtendWith(ApplicationExtension.class)
class WorkloadLogsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    static Path dir;
    static LocalAgentCluster cluster;
    static KubernetesClient client;
    static ProcessRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalAgentCluster(dir);
        client = cluster.client;
        runtime = cluster.runtime;
        runningPod("web-1", "2026-12-02T10:00:01.000000000Z one-a\n2026-12-02T10:00:03.000000000Z one-b\n");
        runningPod("web-2", "2026-12-02T10:00:02.000000000Z two-a\n");
        // another workload's pod: not in the merged view
        runningPod("other-1", "2026-12-02T10:00:02.500000000Z not mine\n", "other");
    }

    static void runningPod(String name, String log) {
        runningPod(name, log, "web");
    }

    static void runningPod(String name, String log, String app) {
        runtime.addPod(new RunningPods.RunningPod("uid-" + name, "default", name, "sandbox-" + name, "127.0.0.1",
                Map.of("app", "c-" + name)));
        runtime.setLog("c-" + name, log);
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("berth-test/busybox:1")
                .endContainer().endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();
        client.pods().inNamespace("default").resource(new PodBuilder(client.pods().inNamespace("default").withName(name).get())
                .editOrNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .addNewContainerStatus().withName("app").withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt("2026-12-02T10:00:00Z").endRunning().endState()
                .endContainerStatus().endStatus().build()).updateStatus();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    static GenericKubernetesResource deployment() {
        return Serialization.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: app, image: berth-test/busybox:1}]
                """, GenericKubernetesResource.class);
    }

    static <T> T fx(FxRobot robot, Callable<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        robot.interact(() -> {
            try {
                out.set(c.call());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        return out.get();
    }

    @Test
    void aWorkloadsPodsAreMergedByTimeTaggedFollowedSearchedAndSaved(FxRobot robot) throws Exception {
        FxTasks tasks = FxTasks.onFxThread();
        LogsController logs = fx(robot, () -> new LogsController(client, tasks, deployment()));
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(fx(robot, logs::lines))
                    .containsExactly("[web-1/app] one-a", "[web-2/app] two-a", "[web-1/app] one-b"));

            // a pod that starts later joins the followed view, in its place in time
            runningPod("web-3", "2026-12-02T10:00:02.500000000Z three-a\n");
            await().atMost(WAIT).untilAsserted(() -> assertThat(fx(robot, logs::lines))
                    .containsExactly("[web-1/app] one-a", "[web-2/app] two-a", "[web-3/app] three-a", "[web-1/app] one-b"));

            robot.interact(() -> logs.searchField().setText("ONE"));
            assertThat(fx(robot, logs::lines)).containsExactly("[web-1/app] one-a", "[web-1/app] one-b");
            Path saved = dir.resolve("web.log");
            robot.interact(() -> {
                try {
                    logs.save(saved);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(Files.readAllLines(saved, StandardCharsets.UTF_8)).containsExactly("[web-1/app] one-a", "[web-1/app] one-b");
        } finally {
            robot.interact(logs::stop);
            tasks.close();
        }
    }

    @Test
    void aSinglePodsLinesCarryNoTagAndTimestampsShowWhenAskedFor(FxRobot robot) {
        FxTasks tasks = FxTasks.onFxThread();
        GenericKubernetesResource pod = Serialization.unmarshal(Serialization.asYaml(
                client.pods().inNamespace("default").withName("web-2").get()), GenericKubernetesResource.class);
        LogsController logs = fx(robot, () -> new LogsController(client, tasks, pod));
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(fx(robot, logs::lines)).containsExactly("two-a"));
            robot.interact(() -> logs.timestampsBox().fire());
            assertThat(fx(robot, logs::lines)).containsExactly("2026-12-02T10:00:02.000000000Z two-a");
        } finally {
            robot.interact(logs::stop);
            tasks.close();
        }
    }

    @Test
    void theSelectorAndContainersOfEachKindAreRead() {
        assertThat(LogsController.selectorOf(deployment())).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web"));
        assertThat(LogsController.containerNames(deployment())).isEqualTo(List.of("app"));
        GenericKubernetesResource svc = Serialization.unmarshal("""
                apiVersion: v1
                kind: ReplicationController
                metadata: {name: web, namespace: default}
                spec: {selector: {app: web, tier: front}}
                """, GenericKubernetesResource.class);
        assertThat(LogsController.selectorOf(svc)).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web", "tier", "front"));
        GenericKubernetesResource expressions = Serialization.unmarshal("""
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: rs, namespace: default}
                spec: {selector: {matchExpressions: [{key: app, operator: Exists}]}}
                """, GenericKubernetesResource.class);
        assertThat(LogsController.selectorOf(expressions)).isEmpty();
    }
}
