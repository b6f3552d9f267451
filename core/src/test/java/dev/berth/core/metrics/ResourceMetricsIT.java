package dev.berth.core.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ResourceMetricsIT {
    @TempDir
    Path dir;

    private TestApiServer server;
    private KubernetesClient client;
    private HttpServer stats;
    private final AtomicInteger summaries = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = new TestApiServer(dir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    @AfterEach
    void stop() {
        if (stats != null) {
            stats.stop(0);
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A node whose Summary API is served on loopback, as a simulated node does. */
    private void node(String name, int statsPort) {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("pool", "lab")
                .addToAnnotations(SummaryScraper.STATS_URL_ANNOTATION,
                        "http://127.0.0.1:" + statsPort + "/stats/summary?node=" + name)
                .endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress().endStatus()
                .build()).create();
    }

    private void pod(String name, String app) {
        client.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                .endSpec().build()).create();
    }

    private void serveSummary() throws Exception {
        stats = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stats.createContext("/stats/summary", ex -> {
            summaries.incrementAndGet();
            String body = """
                    {"node":{"nodeName":"node-a","cpu":{"time":"2026-03-01T10:00:00Z","usageNanoCores":750000000},
                             "memory":{"time":"2026-03-01T10:00:00Z","workingSetBytes":1073741824}},
                     "pods":[
                       {"podRef":{"name":"web-1","namespace":"default","uid":"u1"},
                        "containers":[{"name":"main","cpu":{"time":"2026-03-01T10:00:00Z","usageNanoCores":250000000},
                                       "memory":{"workingSetBytes":67108864}}]},
                       {"podRef":{"name":"db-1","namespace":"default","uid":"u2"},
                        "containers":[{"name":"main","cpu":{"time":"2026-03-01T10:00:00Z","usageNanoCores":500000000},
                                       "memory":{"workingSetBytes":134217728}}]},
                       {"podRef":{"name":"gone","namespace":"default","uid":"u3"},
                        "containers":[{"name":"main","cpu":{"usageNanoCores":1},"memory":{"workingSetBytes":1024}}]}]}
                    """;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        stats.start();
    }

    @Test
    void scrapedSummariesAreServedAsNodeAndPodMetrics() throws Exception {
        serveSummary();
        node("node-a", stats.getAddress().getPort());
        pod("web-1", "web");
        pod("db-1", "db");
        try (SummaryScraper scraper = new SummaryScraper(client, server.server().resourceMetrics(),
                new FakeClock(Instant.parse("2026-03-01T10:00:05Z")), null)) {
            scraper.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().resourceMetrics().node("node-a") != null);
        }
        assertThat(summaries.get()).isPositive();

        NodeMetrics node = client.top().nodes().metrics("node-a");
        assertThat(node.getUsage().get("cpu").getNumericalAmount()).isEqualByComparingTo("0.75");
        assertThat(node.getUsage().get("memory").getNumericalAmount()).isEqualByComparingTo("1073741824");
        assertThat(node.getMetadata().getLabels()).containsEntry("pool", "lab");
        assertThat(node.getWindow().getDuration()).isEqualTo(Duration.ofSeconds(15));

        PodMetricsList web = client.top().pods().inNamespace("default").withLabels(Map.of("app", "web")).metrics();
        assertThat(web.getItems()).singleElement().satisfies(p -> {
            assertThat(p.getMetadata().getName()).isEqualTo("web-1");
            assertThat(p.getContainers().getFirst().getUsage().get("cpu").getNumericalAmount()).isEqualByComparingTo("0.25");
        });
        // a pod the API does not know (deleted since) is not served
        assertThat(client.top().pods().inNamespace("default").metrics().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("db-1", "web-1");
    }

    @Test
    void kubectlTopShowsTheScrapedUsage() throws Exception {
        serveSummary();
        node("node-a", stats.getAddress().getPort());
        pod("web-1", "web");
        try (SummaryScraper scraper = new SummaryScraper(client, server.server().resourceMetrics(),
                new FakeClock(Instant.parse("2026-03-01T10:00:05Z")), null)) {
            scraper.scrapeAllWhenListed();
        }
        Kubectl kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home")));

        Kubectl.Result nodes = kubectl.run("top", "node").ok();
        assertThat(nodes.out()).contains("node-a").contains("750m").contains("1024Mi");
        Kubectl.Result pods = kubectl.run("top", "pod", "-l", "app=web").ok();
        assertThat(pods.out()).contains("web-1").contains("250m").contains("64Mi");
    }

    @Test
    void aNodePointingItsStatsUrlElsewhereIsNotScraped() {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName("rogue")
                .addToAnnotations(SummaryScraper.STATS_URL_ANNOTATION, "http://192.0.2.10:1/stats/summary").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress().endStatus()
                .build()).create();
        var rogue = client.nodes().withName("rogue").get();

        // a URL that is not one of the node's addresses is never fetched (the check sends nothing)
        assertThat(SummaryScraper.statsUri(rogue)).isNull();
        // a node on loopback may name another loopback address: simulated nodes share one server
        var local = new NodeBuilder(rogue).editMetadata()
                .addToAnnotations(SummaryScraper.STATS_URL_ANNOTATION, "http://127.0.0.1:1/stats/summary?node=rogue")
                .endMetadata().editStatus().withAddresses(new io.fabric8.kubernetes.api.model.NodeAddress("127.1.0.7", "InternalIP"))
                .endStatus().build();
        assertThat(SummaryScraper.statsUri(local)).hasToString("http://127.0.0.1:1/stats/summary?node=rogue");
    }

    @Test
    void metricsAreReadOnly() {
        Kubectl kubectl = new Kubectl(server.kubeconfig(), dir);
        Kubectl.Result res = kubectl.run("delete", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes/node-a");
        assertThat(res.exit()).isNotZero();
        assertThat(res.err()).contains("MethodNotAllowed").doesNotContain("InternalError");
    }
}
