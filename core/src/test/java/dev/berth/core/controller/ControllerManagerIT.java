package dev.berth.core.controller;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ControllerManagerIT {
    @TempDir
    Path dir;

    @Test
    void runsTheControllersUntilClosedAndThenLeavesNoWorkerBehind() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            var client = cluster.client();
            cluster.createNamespace("managed");
            ControllerManager controllers = ControllerManager.start(client);
            await().atMost(Duration.ofSeconds(20)).until(controllers::isReady);

            client.configMaps().inNamespace("managed").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("dangling").addToOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("v1").withKind("ConfigMap").withName("ghost")
                            .withUid(UUID.randomUUID().toString()).build()).endMetadata()
                    .build()).create();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(client.configMaps().inNamespace("managed").withName("dangling").get()).isNull());

            controllers.close();
            controllers.close();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .noneMatch(n -> n.startsWith("garbage-collector-") || n.startsWith("namespace-worker-")));
        }
    }
}
