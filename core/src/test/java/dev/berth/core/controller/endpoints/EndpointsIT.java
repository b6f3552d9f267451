package dev.berth.core.controller.endpoints;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EndpointsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.parse("2026-12-02T00:00:00Z");

    @TempDir
    Path dir;
    private TestCluster cluster;
    private KubernetesClient client;
    private ControllerContext context;
    private EndpointsController controller;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace("shop");
        context = ControllerContext.create(client, Clock.systemUTC(), "controller-manager");
        controller = new EndpointsController(context, 1);
        controller.start();
        context.informers().start();
        await().atMost(WAIT).until(controller::isReady);
    }

    @AfterEach
    void stop() {
        controller.close();
        context.informers().close();
        cluster.close();
    }

    private Service service(String name, boolean publishNotReady) {
        return client.services().inNamespace("shop").resource(new ServiceBuilder()
                .withNewMetadata().withName(name).addToLabels("team", "shop").endMetadata()
                .withNewSpec().addToSelector("app", name).withPublishNotReadyAddresses(publishNotReady)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("web")).endPort()
                .endSpec().build()).create();
    }

    private Pod pod(String app, String name, int webPort) {
        return client.pods().inNamespace("shop").resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("nginx")
                .addNewPort().withName("web").withContainerPort(webPort).endPort().endContainer().endSpec()
                .build()).create();
    }

    private Endpoints endpoints(String name) {
        return client.endpoints().inNamespace("shop").withName(name).get();
    }

    private static List<String> ready(Endpoints e) {
        return e.getSubsets().stream().flatMap(s -> s.getAddresses() == null ? java.util.stream.Stream.empty()
                : s.getAddresses().stream()).map(a -> a.getTargetRef().getName() + "@" + port(s(e, a))).sorted().toList();
    }

    private static List<String> notReady(Endpoints e) {
        return e.getSubsets().stream().flatMap(s -> s.getNotReadyAddresses() == null ? java.util.stream.Stream.empty()
                : s.getNotReadyAddresses().stream()).map(a -> a.getTargetRef().getName() + "@" + port(s(e, a))).sorted().toList();
    }

    private static EndpointSubset s(Endpoints e, EndpointAddress a) {
        return e.getSubsets().stream().filter(s -> (s.getAddresses() != null && s.getAddresses().contains(a))
                || (s.getNotReadyAddresses() != null && s.getNotReadyAddresses().contains(a))).findFirst().orElseThrow();
    }

    private static int port(EndpointSubset s) {
        return s.getPorts().getFirst().getPort();
    }

    @Test
    void readyPodsAreServedOnTheirNamedPortAndDeletedPodsLeave() {
        service("web", false);
        Pod a = pod("web", "a", 8080);
        Pod b = pod("web", "b", 8081);
        pod("db", "other", 5432);
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints e = endpoints("web");
            assertThat(e).isNotNull();
            assertThat(e.getSubsets()).isEmpty();   // no pod has an IP yet
            assertThat(e.getMetadata().getLabels()).containsEntry("endpoints.kubernetes.io/managed-by", "endpoint-controller")
                    .containsEntry("team", "shop");
        });

        PodStates.markRunningReady(client, a, NOW);
        PodStates.markRunningNotReady(client, b, NOW);
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints e = endpoints("web");
            assertThat(ready(e)).containsExactly("a@8080");
            assertThat(notReady(e)).containsExactly("b@8081");
            assertThat(e.getSubsets()).hasSize(2);
        });
        EndpointAddress address = endpoints("web").getSubsets().stream().filter(s -> s.getAddresses() != null)
                .findFirst().orElseThrow().getAddresses().getFirst();
        assertThat(address.getNodeName()).isEqualTo("node-1");
        assertThat(address.getIp()).isEqualTo(client.pods().inNamespace("shop").withName("a").get().getStatus().getPodIP());
        assertThat(address.getTargetRef().getUid()).isEqualTo(a.getMetadata().getUid());

        PodStates.markRunningReady(client, b, NOW);
        await().atMost(WAIT).untilAsserted(() -> assertThat(ready(endpoints("web"))).containsExactly("a@8080", "b@8081"));

        client.pods().inNamespace("shop").withName("a").withGracePeriod(0).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints e = endpoints("web");
            assertThat(ready(e)).containsExactly("b@8081");
            assertThat(notReady(e)).isEmpty();
        });
    }

    @Test
    void publishNotReadyAddressesServesPodsBeforeTheyAreReady() {
        service("peers", true);
        Pod p = pod("peers", "p", 7000);
        PodStates.markRunningNotReady(client, p, NOW);
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints e = endpoints("peers");
            assertThat(e).isNotNull();
            assertThat(ready(e)).containsExactly("p@7000");
            assertThat(notReady(e)).isEmpty();
        });
    }

    @Test
    void servicesWithoutSelectorKeepTheirOwnEndpointsAndDeletedServicesLoseTheirs() {
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("external")
                .endMetadata().withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build()).create();
        Endpoints manual = client.endpoints().inNamespace("shop").resource(new EndpointsBuilder()
                .withNewMetadata().withName("external").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.168.1.50").endAddress().addNewPort().withPort(5432).endPort()
                .endSubset().build()).create();
        service("web", false);
        PodStates.markRunningReady(client, pod("web", "a", 8080), NOW);
        await().atMost(WAIT).untilAsserted(() -> assertThat(ready(endpoints("web"))).containsExactly("a@8080"));
        Endpoints after = endpoints("external");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(manual.getMetadata().getResourceVersion());
        assertThat(after.getSubsets().getFirst().getAddresses().getFirst().getIp()).isEqualTo("192.168.1.50");

        // a deleted Endpoints is written again; a deleted Service takes its Endpoints along
        client.endpoints().inNamespace("shop").withName("web").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints again = endpoints("web");
            assertThat(again).isNotNull();
            assertThat(ready(again)).containsExactly("a@8080");
        });
        client.services().inNamespace("shop").withName("web").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints("web")).isNull());
        assertThat(endpoints("external")).isNotNull();
    }
}
