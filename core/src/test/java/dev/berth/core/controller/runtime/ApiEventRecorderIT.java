package dev.berth.core.controller.runtime;

import dev.berth.core.controller.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ApiEventRecorderIT {
    @TempDir
    Path dir;

    private TestCluster cluster;
    private KubernetesClient client;
    private FakeClock clock;
    private ApiEventRecorder events;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
        events = new ApiEventRecorder(client, clock, "test-controller");
    }

    @AfterEach
    void stop() {
        if (events != null) {
            events.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void recordsAnEventAboutTheObjectWithReasonSourceAndTimes() {
        ConfigMap cm = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").endMetadata().build()).create();

        events.normal(cm, "Synced", "Synced %d keys", 3);

        Event e = await().atMost(Duration.ofSeconds(10)).until(() -> eventsIn("default"), l -> l.size() == 1).getFirst();
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("ConfigMap");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("settings");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(cm.getMetadata().getUid());
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getReason()).isEqualTo("Synced");
        assertThat(e.getMessage()).isEqualTo("Synced 3 keys");
        assertThat(e.getSource().getComponent()).isEqualTo("test-controller");
        assertThat(e.getReportingComponent()).isEqualTo("test-controller");
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(e.getCount()).isEqualTo(1);
    }

    @Test
    void aRepeatedEventCountsUpInsteadOfWritingAnother() {
        ConfigMap cm = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").endMetadata().build()).create();

        events.warning(cm, "FailedSync", "cannot reach the node");
        await().atMost(Duration.ofSeconds(10)).until(() -> eventsIn("default").size() == 1);
        clock.advance(Duration.ofSeconds(30));
        events.warning(cm, "FailedSync", "cannot reach the node");
        events.warning(cm, "FailedSync", "cannot reach the node");
        events.warning(cm, "FailedSync", "another message");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Event> all = eventsIn("default");
            assertThat(all).hasSize(2);
            Event repeated = all.stream().filter(e -> e.getMessage().equals("cannot reach the node")).findFirst().orElseThrow();
            assertThat(repeated.getCount()).isEqualTo(3);
            assertThat(repeated.getFirstTimestamp()).isEqualTo("2026-03-01T10:00:00Z");
            assertThat(repeated.getLastTimestamp()).isEqualTo("2026-03-01T10:00:30Z");
        });
    }

    @Test
    void eventsAboutClusterScopedObjectsGoToTheDefaultNamespace() {
        var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();

        events.normal(node, "RegisteredNode", "Node n1 event: Registered Node n1 in Controller");

        Event e = await().atMost(Duration.ofSeconds(10)).until(() -> eventsIn("default"), l -> l.size() == 1).getFirst();
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(e.getInvolvedObject().getNamespace()).isNull();
    }

    private List<Event> eventsIn(String ns) {
        return client.v1().events().inNamespace(ns).list().getItems();
    }
}
