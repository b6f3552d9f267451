package dev.berth.agent.stats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.server.GetHandler;
import dev.berth.agent.testing.InfoRuntime;
import dev.berth.core.api.Json;
import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.metrics.Summary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SummaryProviderTest {
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");

    @TempDir
    Path root;
    CgroupFixtures fx;
    InfoRuntime runtime;
    FakeClock clock;
    SummaryProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        fx = new CgroupFixtures(root).node(1000, 500);
        runtime = new InfoRuntime("n1");
        clock = new FakeClock(T0);
        Path data = Files.createDirectories(root.resolve("data"));
        provider = new SummaryProvider("n1", runtime, fx.stats(), data, data, clock);
        // pod web: a sandbox and two containers; pod db: one container; plus an exited one and a stranger
        runtime.containers.add(container("s1", 100, "uid-web", "default", "web", RuntimeLabels.ROLE_SANDBOX, null,
                ContainerState.RUNNING, T0.minusSeconds(60)));
        runtime.containers.add(container("c1", 101, "uid-web", "default", "web", RuntimeLabels.ROLE_APP, "nginx",
                ContainerState.RUNNING, T0.minusSeconds(50)));
        runtime.containers.add(container("c2", 102, "uid-web", "default", "web", RuntimeLabels.ROLE_APP, "sidecar",
                ContainerState.RUNNING, T0.minusSeconds(40)));
        runtime.containers.add(container("c3", 103, "uid-db", "data", "db-0", RuntimeLabels.ROLE_APP, "postgres",
                ContainerState.RUNNING, T0.minusSeconds(30)));
        runtime.containers.add(container("c4", 0, "uid-db", "data", "db-0", RuntimeLabels.ROLE_INIT, "init",
                ContainerState.EXITED, T0.minusSeconds(35)));
        fx.v1Container(100, "s1", 1_000_000L, 1 << 20, 0, 1 << 19);
        fx.v1Container(101, "c1", 2_000_000_000L, 50 << 20, 10 << 20, 30 << 20);
        fx.v1Container(102, "c2", 500_000_000L, 10 << 20, 2 << 20, 5 << 20);
        fx.v1Container(103, "c3", 7_000_000_000L, 200 << 20, 50 << 20, 100 << 20);
    }

    private static ContainerInfo container(String id, long pid, String uid, String ns, String pod, String role,
                                           String name, ContainerState state, Instant started) {
        Map<String, String> labels = new HashMap<>(Map.of(RuntimeLabels.POD_UID, uid, RuntimeLabels.POD_NAMESPACE, ns,
                RuntimeLabels.POD_NAME, pod, RuntimeLabels.ROLE, role, RuntimeLabels.NODE, "n1"));
        if (name != null) {
            labels.put(RuntimeLabels.CONTAINER_NAME, name);
        }
        return new ContainerInfo(id, "berth-test-" + id, "img", "sha256:1", labels, state, 0, false, "",
                started.minusSeconds(1), started, null, "", pid);
    }

    @Test
    void groupsRunningContainersIntoPodsWithTheSandboxCountedInThePodTotal() throws Exception {
        Summary s = provider.summary();

        assertThat(s.node().nodeName()).isEqualTo("n1");
        assertThat(s.node().startTime()).as("boot time").isEqualTo(Instant.ofEpochSecond(1796183341L).toString());
        assertThat(s.pods()).extracting(p -> p.podRef().namespace() + "/" + p.podRef().name() + "/" + p.podRef().uid())
                .containsExactlyInAnyOrder("default/web/uid-web", "data/db-0/uid-db");
        Summary.PodStats web = pod(s, "web");
        assertThat(web.containers()).extracting(Summary.ContainerStats::name).containsExactlyInAnyOrder("nginx", "sidecar");
        assertThat(web.startTime()).as("the sandbox's start").isEqualTo("2026-12-02T05:59:00Z");
        assertThat(web.memory().workingSetBytes()).isEqualTo((1L << 20) + (40L << 20) + (8L << 20));
        assertThat(web.cpu().usageCoreNanoSeconds()).isEqualTo(2_501_000_000L);
        Summary.ContainerStats nginx = web.containers().stream().filter(c -> c.name().equals("nginx")).findFirst().orElseThrow();
        assertThat(nginx.memory().workingSetBytes()).isEqualTo(40L << 20);
        assertThat(nginx.memory().usageBytes()).isEqualTo(50L << 20);
        assertThat(nginx.startTime()).isEqualTo("2026-12-02T05:59:10Z");
        assertThat(nginx.cpu().usageNanoCores()).as("no rate from a single reading").isNull();
        assertThat(pod(s, "db-0").containers()).extracting(Summary.ContainerStats::name).containsExactly("postgres");
    }

    @Test
    void cpuRatesComeFromTwoReadingsOnTheClock() throws Exception {
        provider.summary();
        fx.v1Container(101, "c1", 2_000_000_000L + 5_000_000_000L, 50 << 20, 10 << 20, 30 << 20); // 0.5 core over 10 s
        fx.v1Container(103, "c3", 7_000_000_000L + 20_000_000_000L, 200 << 20, 50 << 20, 100 << 20); // 2 cores
        fx.node(1000 + 300, 500 + 100); // 400 ticks = 4 s of CPU over 10 s
        clock.advance(Duration.ofSeconds(10));

        Summary s = provider.summary();

        assertThat(s.node().cpu().usageNanoCores()).isEqualTo(400_000_000L);
        Summary.PodStats web = pod(s, "web");
        assertThat(web.containers().stream().filter(c -> c.name().equals("nginx")).findFirst().orElseThrow()
                .cpu().usageNanoCores()).isEqualTo(500_000_000L);
        assertThat(web.cpu().usageNanoCores()).as("sum of its containers' rates").isEqualTo(500_000_000L);
        assertThat(pod(s, "db-0").cpu().usageNanoCores()).isEqualTo(2_000_000_000L);

        // a reading at the same instant keeps the rate instead of dividing by zero
        assertThat(provider.summary().node().cpu().usageNanoCores()).isEqualTo(400_000_000L);

        // a restarted container's counter starts again: no rate for that interval
        fx.v1Container(101, "c1", 1_000L, 50 << 20, 10 << 20, 30 << 20);
        clock.advance(Duration.ofSeconds(10));
        Summary after = provider.summary();
        assertThat(pod(after, "web").containers().stream().filter(c -> c.name().equals("nginx")).findFirst().orElseThrow()
                .cpu().usageNanoCores()).isNull();
        assertThat(pod(after, "web").containers().stream().filter(c -> c.name().equals("sidecar")).findFirst().orElseThrow()
                .cpu().usageNanoCores()).isZero();
    }

    @Test
    void aContainerThatCannotBeReadIsLeftOutAndFlagged() throws Exception {
        CgroupFixtures.write(fx.cgroup.resolve("cpuacct/docker/c2/cpuacct.usage"), "broken\n");
        StatsSnapshot snap = provider.snapshot();
        assertThat(snap.scrapeError()).isTrue();
        assertThat(snap.pods().stream().filter(p -> p.name().equals("web")).findFirst().orElseThrow().containers())
                .extracting(StatsSnapshot.ContainerEntry::name).containsExactly("nginx");

        runtime.down = true;
        StatsSnapshot down = provider.snapshot();
        assertThat(down.scrapeError()).isTrue();
        assertThat(down.pods()).isEmpty();
        assertThat(down.node().memoryTotalBytes()).isEqualTo(4L << 30);
    }

    @Test
    void statsSummaryIsKubeletsJsonAndCoreReadsIt() throws Exception {
        provider.summary();
        clock.advance(Duration.ofSeconds(10));
        GetHandler.Response r = provider.summaryHandler().handle("/stats/summary", Map.of());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        JsonNode json = Json.parse(r.body());
        JsonNode node = json.get("node");
        assertThat(node.get("nodeName").asText()).isEqualTo("n1");
        assertThat(node.at("/cpu/time").asText()).isEqualTo("2026-12-02T06:00:10Z");
        assertThat(node.at("/cpu/usageNanoCores").asLong()).isZero();
        assertThat(node.at("/memory/availableBytes").asLong()).isEqualTo((1L << 30) + (256L << 20));
        assertThat(node.at("/memory/rssBytes").asLong()).isEqualTo(1536L << 20);
        assertThat(node.at("/memory/pageFaults").asLong()).isEqualTo(987654);
        assertThat(node.at("/fs/capacityBytes").asLong()).isPositive();
        assertThat(node.at("/runtime/imageFs/capacityBytes").asLong()).isPositive();
        assertThat(node.at("/rlimit/maxpid").asLong()).isEqualTo(4194304);
        assertThat(node.at("/rlimit/curproc").asLong()).isEqualTo(412);
        JsonNode pod = json.get("pods").get(0);
        assertThat(pod.at("/podRef/uid").asText()).startsWith("uid-");
        assertThat(pod.at("/containers/0/memory/majorPageFaults").asLong()).isEqualTo(12);

        Summary parsed = Json.MAPPER.readValue(r.body(), Summary.class);
        assertThat(parsed).isEqualTo(provider.summary());
    }

    @Test
    void metricsResourceIsPrometheusTextWithKubeletsNamesAndLabels() throws Exception {
        runtime.containers.add(container("c5", 104, "uid-odd", "ns", "we\"ird\\pod", RuntimeLabels.ROLE_APP, "c",
                ContainerState.RUNNING, T0.minusSeconds(5)));
        fx.v1Container(104, "c5", 1_500_000_000L, 1 << 20, 0, 0);

        GetHandler.Response r = provider.resourceMetricsHandler().handle("/metrics/resource", Map.of());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        String text = new String(r.body(), StandardCharsets.UTF_8);
        PrometheusText p = PrometheusText.parse(text);
        assertThat(p.types).containsEntry("node_cpu_usage_seconds_total", "counter")
                .containsEntry("node_memory_working_set_bytes", "gauge")
                .containsEntry("container_cpu_usage_seconds_total", "counter")
                .containsEntry("container_memory_working_set_bytes", "gauge")
                .containsEntry("container_start_time_seconds", "gauge")
                .containsEntry("pod_cpu_usage_seconds_total", "counter")
                .containsEntry("pod_memory_working_set_bytes", "gauge")
                .containsEntry("resource_scrape_error", "gauge")
                .containsEntry("scrape_error", "gauge");
        assertThat(p.help.get("container_cpu_usage_seconds_total"))
                .isEqualTo("[STABLE] Cumulative cpu time consumed by the container in core-seconds");
        assertThat(p.value("node_cpu_usage_seconds_total", Map.of())).isEqualTo(16.0);
        assertThat(p.value("node_memory_working_set_bytes", Map.of())).isEqualTo((3L << 30) - (256L << 20));
        Map<String, String> nginx = Map.of("container", "nginx", "namespace", "default", "pod", "web");
        assertThat(p.value("container_cpu_usage_seconds_total", nginx)).isEqualTo(2.0);
        assertThat(p.value("container_memory_working_set_bytes", nginx)).isEqualTo(40L << 20);
        assertThat(p.value("container_start_time_seconds", nginx)).isCloseTo(T0.minusSeconds(50).getEpochSecond(), within(0.001));
        assertThat(p.value("pod_cpu_usage_seconds_total", Map.of("namespace", "default", "pod", "web"))).isEqualTo(2.501);
        assertThat(p.value("pod_memory_working_set_bytes", Map.of("namespace", "data", "pod", "db-0"))).isEqualTo(150L << 20);
        assertThat(p.value("container_cpu_usage_seconds_total", Map.of("container", "c", "namespace", "ns", "pod", "we\"ird\\pod")))
                .isEqualTo(1.5);
        assertThat(p.value("resource_scrape_error", Map.of())).isZero();
        assertThat(p.samples.get("container_cpu_usage_seconds_total" + new java.util.TreeMap<>(nginx)).timestampMillis())
                .isEqualTo(T0.toEpochMilli());
        assertThat(p.samples.keySet()).noneMatch(k -> k.contains("container=\"\"") || k.contains("init"));
    }

    @Test
    void aMachineThatCannotBeReadGivesOnlyTheScrapeError() throws Exception {
        SummaryProvider blind = new SummaryProvider("n1", runtime, new CgroupStats(root.resolve("nothing"), root.resolve("nothing")),
                root, root, clock);

        GetHandler.Response r = blind.resourceMetricsHandler().handle("/metrics/resource", Map.of());

        PrometheusText p = PrometheusText.parse(new String(r.body(), StandardCharsets.UTF_8));
        assertThat(p.value("resource_scrape_error", Map.of())).isEqualTo(1.0);
        assertThat(p.value("scrape_error", Map.of())).isEqualTo(1.0);
        assertThat(p.samples).hasSize(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> blind.summaryHandler().handle("/stats/summary", Map.of()))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void theParserRejectsWhatIsNotTheExpositionFormat() {
        List<String> bad = List.of(
                "foo 1\n",
                "# TYPE foo gauge\nfoo{a=\"x} 1\n",
                "# TYPE foo gauge\nfoo one\n",
                "# TYPE foo gauge\n# TYPE bar gauge\nfoo 1\nbar 1\nfoo{a=\"b\"} 2\n",
                "# TYPE foo gauge\nfoo 1");
        for (String text : bad) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrometheusText.parse(text)).as(text)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static Summary.PodStats pod(Summary s, String name) {
        return s.pods().stream().filter(p -> p.podRef().name().equals(name)).findFirst().orElseThrow();
    }
}
