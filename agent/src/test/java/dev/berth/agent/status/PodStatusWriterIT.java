package dev.berth.agent.status;

import dev.berth.agent.testing.TcpRelay;
import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PodStatusWriterIT {
    @TempDir
    Path dir;
    TestApiServer api;
    TcpRelay relay;
    KubernetesClient admin;
    KubernetesClient agentClient;
    PodStatusWriter writer;

    @BeforeEach
    void start() throws Exception {
        api = new TestApiServer(dir);
        relay = new TcpRelay(api.port()).start();
        Config config = Config.fromKubeconfig(Files.readString(api.kubeconfig()));
        admin = new KubernetesClientBuilder().withConfig(config).build();
        agentClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config)
                .withMasterUrl("https://127.0.0.1:" + relay.port()).withRequestRetryBackoffLimit(0)
                .withRequestTimeout(5_000).build()).build();
        writer = new PodStatusWriter(agentClient, Clock.systemUTC(), Duration.ofMillis(200), Duration.ofMillis(50),
                Duration.ofMillis(500)).start();
    }

    @AfterEach
    void stop() {
        writer.close();
        agentClient.close();
        admin.close();
        relay.close();
        api.close();
    }

    private Pod scheduledPod(String name) {
        Pod pod = admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("busybox:1")
                .endContainer().endSpec().build()).create();
        Pod scheduled = new PodBuilder(pod).editStatus().addToConditions(condition("PodScheduled", "True", "2026-01-01T00:00:00Z"))
                .endStatus().build();
        return admin.pods().inNamespace("default").resource(scheduled).updateStatus();
    }

    static PodCondition condition(String type, String status, String time) {
        return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(time).build();
    }

    static PodStatus running(String readyStatus, String time) {
        return new PodStatusBuilder().withPhase("Running").withPodIP("10.42.0.7").withHostIP("10.0.0.1")
                .addToConditions(condition("Initialized", "True", time), condition("Ready", readyStatus, time),
                        condition("ContainersReady", readyStatus, time))
                .build();
    }

    private Pod apiPod(String name) {
        return admin.pods().inNamespace("default").withName(name).get();
    }

    @Test
    void writesStatusKeepsOthersConditionsAndSkipsUnchanged() {
        Pod pod = scheduledPod("web");
        String uid = pod.getMetadata().getUid();

        writer.update(uid, "default", "web", running("True", "2026-01-02T00:00:00Z"));

        await().untilAsserted(() -> assertThat(apiPod("web").getStatus().getPhase()).isEqualTo("Running"));
        Pod written = apiPod("web");
        assertThat(written.getStatus().getPodIP()).isEqualTo("10.42.0.7");
        assertThat(written.getStatus().getQosClass()).isEqualTo("BestEffort");
        assertThat(written.getStatus().getConditions()).extracting(PodCondition::getType)
                .containsExactlyInAnyOrder("PodScheduled", "Initialized", "Ready", "ContainersReady");
        await().until(() -> writer.isWritten(uid));
        assertThat(writer.writeCount()).isEqualTo(1);

        // the same status computed later (a new transition time, same condition status) is not written
        writer.update(uid, "default", "web", running("True", "2026-01-03T00:00:00Z"));
        await().until(() -> writer.isWritten(uid));
        assertThat(writer.writeCount()).isEqualTo(1);
        assertThat(apiPod("web").getMetadata().getResourceVersion()).isEqualTo(written.getMetadata().getResourceVersion());

        // a change is written, and a condition another component added meanwhile survives
        Pod disrupted = new PodBuilder(apiPod("web")).editStatus()
                .addToConditions(condition("DisruptionTarget", "True", "2026-01-04T00:00:00Z")).endStatus().build();
        admin.pods().inNamespace("default").resource(disrupted).updateStatus();
        writer.update(uid, "default", "web", running("False", "2026-01-05T00:00:00Z"));
        await().untilAsserted(() -> assertThat(apiPod("web").getStatus().getConditions())
                .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=False")));
        assertThat(apiPod("web").getStatus().getConditions()).extracting(PodCondition::getType)
                .contains("PodScheduled", "DisruptionTarget");
        assertThat(writer.writeCount()).isEqualTo(2);
    }

    @Test
    void resendsEveryStatusOnceTheApiIsBack() throws Exception {
        String a = scheduledPod("a").getMetadata().getUid();
        String b = scheduledPod("b").getMetadata().getUid();
        relay.stop();

        writer.update(a, "default", "a", running("True", "2026-01-02T00:00:00Z"));
        writer.update(b, "default", "b", running("False", "2026-01-02T00:00:00Z"));
        assertThat(writer.isWritten(a)).isFalse();
        assertThat(apiPod("a").getStatus().getPhase()).isEqualTo("Pending");

        relay.start();
        await().untilAsserted(() -> {
            assertThat(apiPod("a").getStatus().getPhase()).isEqualTo("Running");
            assertThat(apiPod("b").getStatus().getPhase()).isEqualTo("Running");
        });
        await().until(() -> writer.isWritten(a) && writer.isWritten(b));
    }

    @Test
    void forgetsPodsThatAreGoneOrReplaced() {
        String uid = scheduledPod("gone").getMetadata().getUid();
        admin.pods().inNamespace("default").withName("gone").withGracePeriod(0).delete();
        await().until(() -> apiPod("gone") == null);

        writer.update(uid, "default", "gone", running("True", "2026-01-02T00:00:00Z"));
        await().until(() -> !writer.podUids().contains(uid));

        // a new pod of the same name is not given the old one's status
        scheduledPod("gone");
        writer.update(uid, "default", "gone", running("True", "2026-01-02T00:00:00Z"));
        await().until(() -> !writer.podUids().contains(uid));
        assertThat(apiPod("gone").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(writer.writeCount()).isZero();
    }
}
