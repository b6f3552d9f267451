package dev.berth.core.controller.podautoscaler;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.metrics.ResourceMetrics;
import dev.berth.core.metrics.Usage;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HorizontalPodAutoscalersIT {
    private static final String NS = "default";

    @TempDir
    Path dir;

    private TestApiServer server;
    private KubernetesClient client;
    private FakeClock clock;
    private Informers informers;
    private ApiEventRecorder events;
    private HorizontalPodAutoscalers autoscalers;

    @BeforeEach
    void start() throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
        clock = new FakeClock(Instant.now());
        informers = new Informers(client);
        events = new ApiEventRecorder(client, clock, "horizontal-pod-autoscaler");
        autoscalers = new HorizontalPodAutoscalers(new ControllerContext(client, informers, clock, events));
        autoscalers.start();
        informers.start();
        await().atMost(Duration.ofSeconds(60)).until(autoscalers::isReady);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{autoscalers, informers, events, client, server}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        }
    }

    private ReplicaSet replicaSet(int replicas, String cpuRequest) {
        ReplicaSet rs = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        rs = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder(rs).withNewStatus()
                .withReplicas(replicas).withReadyReplicas(replicas).endStatus().build()).updateStatus();
        List<ResourceMetrics.PodSample> samples = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            var container = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("main").withImage("busybox:1.36");
            if (cpuRequest != null) {
                container.withNewResources().addToRequests("cpu", new Quantity(cpuRequest)).endResources();
            }
            Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName("web-" + i).addToLabels("app", "web").endMetadata()
                    .withNewSpec().withNodeName("node-a").withContainers(container.build()).endSpec().build()).create();
            // started and ready long ago: past the CPU initialization period
            PodStates.markRunningReady(client, pod, clock.instant().minus(Duration.ofMinutes(10)));
            samples.add(new ResourceMetrics.PodSample(NS, "web-" + i, "node-a", clock.instant(), Duration.ofSeconds(15),
                    List.of(new ResourceMetrics.ContainerSample("main", new Usage(200_000_000L, 64L << 20)))));
        }
        server.server().resourceMetrics().update(new ResourceMetrics.NodeSample("node-a", clock.instant(),
                Duration.ofSeconds(15), new Usage(400_000_000L, 128L << 20)), samples);
        return rs;
    }

    private void autoscaler(int targetUtilization) {
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web")
                .endScaleTargetRef().withMinReplicas(1).withMaxReplicas(10)
                .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
                .withType("Utilization").withAverageUtilization(targetUtilization).endTarget().endResource().endMetric()
                .endSpec().build()).create();
    }

    private HorizontalPodAutoscaler hpa() {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("web").get();
    }

    @Test
    void scalesTheTargetUpByTheMeasuredUtilizationWithinTheScaleUpRate() throws Exception {
        replicaSet(2, "100m");
        autoscaler(50);

        // 200% of request against a 50% target asks for 8; the default rate allows 2 + 4 = 6 at once
        await().atMost(Duration.ofSeconds(60)).until(() ->
                client.apps().replicaSets().inNamespace(NS).withName("web").get().getSpec().getReplicas() == 6);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var status = hpa().getStatus();
            assertThat(status).isNotNull();
            assertThat(status.getDesiredReplicas()).isEqualTo(6);
            assertThat(status.getCurrentReplicas()).isEqualTo(2);
            assertThat(status.getLastScaleTime()).isNotNull();
            assertThat(status.getCurrentMetrics()).singleElement().satisfies(m ->
                    assertThat(m.getResource().getCurrent().getAverageUtilization()).isEqualTo(200));
            assertThat(status.getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("ScalingLimited");
                assertThat(c.getReason()).isEqualTo("ScaleUpLimit");
            });
            assertThat(status.getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("ScalingActive");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getMessage()).contains("cpu resource utilization (percentage of request)");
            });
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("SuccessfulRescale");
                    assertThat(e.getMessage()).isEqualTo(
                            "New size: 6; reason: cpu resource utilization (percentage of request) above target");
                }));

        Kubectl.Result r = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home")))
                .run("get", "hpa", "web").ok();
        assertThat(r.out()).contains("cpu: 200%/50%");
    }

    @Test
    void podsWithoutRequestsMakeScalingInactiveWithTheReason() {
        replicaSet(2, null);
        autoscaler(50);

        await().atMost(Duration.ofSeconds(60)).until(() -> hpa().getStatus() != null);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(hpa().getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("ScalingActive");
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("FailedGetResourceMetric");
                    assertThat(c.getMessage()).contains("missing request for cpu in container main of Pod web-");
                }));
        assertThat(client.apps().replicaSets().inNamespace(NS).withName("web").get().getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void aScaleDownWaitsOutTheStabilizationWindowOnTheClock() {
        replicaSet(2, "100m");
        autoscaler(100); // 200% against 100%: twice the pods
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas() == 4);
        // the ReplicaSet reaches 4, and the load drops to 20%: one pod would do
        var rs = client.apps().replicaSets().inNamespace(NS).withName("web").get();
        client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder(rs).editStatus()
                .withReplicas(4).endStatus().build()).updateStatus();
        List<ResourceMetrics.PodSample> low = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            low.add(new ResourceMetrics.PodSample(NS, "web-" + i, "node-a", clock.instant(), Duration.ofSeconds(15),
                    List.of(new ResourceMetrics.ContainerSample("main", new Usage(20_000_000L, 64L << 20)))));
        }
        server.server().resourceMetrics().update(new ResourceMetrics.NodeSample("node-a", clock.instant(),
                Duration.ofSeconds(15), new Usage(40_000_000L, 128L << 20)), low);

        clock.advance(Duration.ofSeconds(60));
        // the pass that sees the low load: it must hold the count, the higher recommendation is recent
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var status = hpa().getStatus();
            assertThat(status.getCurrentReplicas()).isEqualTo(4);
            assertThat(status.getCurrentMetrics()).singleElement().satisfies(m ->
                    assertThat(m.getResource().getCurrent().getAverageUtilization()).isEqualTo(20));
            assertThat(status.getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("AbleToScale");
                assertThat(c.getReason()).isEqualTo("ScaleDownStabilized");
            });
        });
        assertThat(replicas()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(301));
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas() == 1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(hpa().getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("AbleToScale");
                    assertThat(c.getReason()).isEqualTo("SucceededRescale");
                }));
    }

    private int replicas() {
        return client.apps().replicaSets().inNamespace(NS).withName("web").get().getSpec().getReplicas();
    }
}
