package dev.berth.core.controller.endpointslice;

import dev.berth.core.controller.PodStates;
import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EndpointSliceIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.parse("2026-12-02T00:00:00Z");

    @TempDir
    Path dir;
    private TestCluster cluster;
    private KubernetesClient client;
    private ControllerContext context;
    private EndpointSliceController controller;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        client = cluster.client();
        cluster.createNamespace("shop");
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1")
                .addToLabels("topology.kubernetes.io/zone", "lab-a").endMetadata().build()).create();
        context = ControllerContext.create(client, Clock.systemUTC(), "controller-manager");
        controller = new EndpointSliceController(context, 1);
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

    private Service service(String name) {
        return client.services().inNamespace("shop").resource(new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToSelector("app", name)
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

    private List<EndpointSlice> slices(String service) {
        return client.discovery().v1().endpointSlices().inNamespace("shop")
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    private List<Endpoint> endpoints(String service) {
        return slices(service).stream().flatMap(s -> s.getEndpoints().stream()).toList();
    }

    private Endpoint endpointOf(String service, String pod) {
        return endpoints(service).stream().filter(e -> e.getTargetRef().getName().equals(pod)).findFirst().orElse(null);
    }

    @Test
    void slicesListPodsWithTheirConditionsPortsAndPlace() {
        Service svc = service("web");
        await().atMost(WAIT).untilAsserted(() -> {
            List<EndpointSlice> placeholder = slices("web");
            assertThat(placeholder).hasSize(1);
            assertThat(placeholder.getFirst().getEndpoints()).isEmpty();
        });
        Pod a = pod("web", "a", 8080);
        Pod b = pod("web", "b", 8081);
        PodStates.markRunningReady(client, a, NOW);
        PodStates.markRunningNotReady(client, b, NOW);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(endpointOf("web", "a")).isNotNull();
            assertThat(endpointOf("web", "b")).isNotNull();
            assertThat(slices("web")).hasSize(2);   // one per resolved port
        });
        Endpoint ea = endpointOf("web", "a");
        assertThat(ea.getConditions().getReady()).isTrue();
        assertThat(ea.getConditions().getServing()).isTrue();
        assertThat(ea.getConditions().getTerminating()).isFalse();
        assertThat(ea.getNodeName()).isEqualTo("node-1");
        assertThat(ea.getZone()).isEqualTo("lab-a");
        assertThat(ea.getTargetRef().getUid()).isEqualTo(a.getMetadata().getUid());
        assertThat(ea.getAddresses()).containsExactly(client.pods().inNamespace("shop").withName("a").get()
                .getStatus().getPodIP());
        assertThat(endpointOf("web", "b").getConditions().getReady()).isFalse();

        EndpointSlice sliceA = slices("web").stream().filter(s -> s.getEndpoints().contains(endpointOf("web", "a")))
                .findFirst().orElseThrow();
        assertThat(sliceA.getAddressType()).isEqualTo("IPv4");
        assertThat(sliceA.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        assertThat(sliceA.getMetadata().getLabels())
                .containsEntry("kubernetes.io/service-name", "web")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
        assertThat(sliceA.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Service");
            assertThat(o.getUid()).isEqualTo(svc.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });

        // a terminating pod stays, not ready but still serving
        client.pods().inNamespace("shop").withName("a").edit(p -> new PodBuilder(p).editMetadata()
                .addToFinalizers("example.com/hold").endMetadata().build());
        client.pods().inNamespace("shop").withName("a").withGracePeriod(0).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoint e = endpointOf("web", "a");
            assertThat(e.getConditions().getTerminating()).isTrue();
            assertThat(e.getConditions().getReady()).isFalse();
            assertThat(e.getConditions().getServing()).isTrue();
        });
        client.pods().inNamespace("shop").withName("a").edit(p -> new PodBuilder(p).editMetadata()
                .withFinalizers().endMetadata().build());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(endpointOf("web", "a")).isNull();
            assertThat(slices("web")).hasSize(1);
        });
    }

    @Test
    void moreThanAHundredEndpointsAreSplitOverSlices() throws Exception {
        service("big");
        int count = 130;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "big-" + i;
                work.add(CompletableFuture.runAsync(() -> PodStates.markRunningReady(client, pod("big", name, 8080), NOW), pool));
            }
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get();
        }
        await().atMost(WAIT).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("big");
            assertThat(slices).allSatisfy(s -> assertThat(s.getEndpoints()).hasSizeLessThanOrEqualTo(100));
            assertThat(slices.stream().mapToInt(s -> s.getEndpoints().size()).sum()).isEqualTo(count);
            assertThat(slices).hasSize(2);
        });
        // deleting pods empties slices rather than leaving stale endpoints
        client.pods().inNamespace("shop").withLabel("app", "big").withGracePeriod(0).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("big");
            assertThat(slices).hasSize(1);
            assertThat(slices.getFirst().getEndpoints()).isEmpty();
        });
    }

    @Test
    void servicesWithoutSelectorGetNoSlices() {
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("external")
                .endMetadata().withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build()).create();
        service("web");
        await().atMost(WAIT).untilAsserted(() -> assertThat(slices("web")).hasSize(1));
        assertThat(slices("external")).isEmpty();
    }
}
