package dev.berth.core.controller.serviceaccount;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ServiceAccountsIT {
    private static final String CA = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;
    private TestCluster cluster;
    private KubernetesClient client;
    private ControllerContext context;
    private List<Component> components;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        context = ControllerContext.create(client, Clock.systemUTC(), "controller-manager");
        components = List.of(ServiceAccounts.create(context), RootCaPublisher.create(context, CA));
        components.forEach(Component::start);
        context.informers().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> components.stream().allMatch(Component::isReady));
    }

    @AfterEach
    void stop() {
        components.forEach(Component::close);
        context.informers().close();
        cluster.close();
    }

    private ServiceAccount defaultAccount(String ns) {
        return client.serviceAccounts().inNamespace(ns).withName("default").get();
    }

    private ConfigMap rootCa(String ns) {
        return client.configMaps().inNamespace(ns).withName("kube-root-ca.crt").get();
    }

    @Test
    void everyNamespaceGetsADefaultServiceAccountAgainWhenItIsDeleted() {
        cluster.createNamespace("team-a");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(defaultAccount("team-a")).isNotNull();
            assertThat(defaultAccount("default")).isNotNull();
            assertThat(defaultAccount("kube-system")).isNotNull();
        });
        String firstUid = defaultAccount("team-a").getMetadata().getUid();

        client.serviceAccounts().inNamespace("team-a").withName("default").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ServiceAccount again = defaultAccount("team-a");
            assertThat(again).isNotNull();
            assertThat(again.getMetadata().getUid()).isNotEqualTo(firstUid);
        });
    }

    @Test
    void everyNamespaceGetsTheClusterCaAndChangesToItArePutBack() {
        cluster.createNamespace("team-b");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ConfigMap cm = rootCa("team-b");
            assertThat(cm).isNotNull();
            assertThat(cm.getData()).containsExactly(Map.entry("ca.crt", CA));
            assertThat(cm.getMetadata().getAnnotations()).containsKey("kubernetes.io/description");
        });

        client.configMaps().inNamespace("team-b").resource(new ConfigMapBuilder(rootCa("team-b"))
                .withData(Map.of("ca.crt", "tampered", "extra", "x")).build()).update();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rootCa("team-b").getData()).containsExactly(Map.entry("ca.crt", CA)));

        client.configMaps().inNamespace("team-b").withName("kube-root-ca.crt").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ConfigMap cm = rootCa("team-b");
            assertThat(cm).isNotNull();
            assertThat(cm.getData()).containsEntry("ca.crt", CA);
        });
    }

    @Test
    void refusesACaThatIsNotAPemCertificate() {
        assertThatThrownBy(() -> new RootCaPublisher(client, context.informers(), "not a cert"))
                .hasMessage("caPem: must be a PEM certificate (no BEGIN CERTIFICATE line found)");
    }
}
