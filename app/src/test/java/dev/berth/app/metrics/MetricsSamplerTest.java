package dev.berth.app.metrics;

import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsSamplerTest {
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T15:00:00Z"));
    final FakeSource source = new FakeSource();
    final MetricsSampler sampler = new MetricsSampler(source, clock, Duration.ofSeconds(10), 3,
            (ns, pod) -> pod.startsWith("web-") ? List.of(new SeriesKey("ReplicaSet", ns, "web-abc"), new SeriesKey("Deployment", ns, "web"))
                    : List.of());

    static final class FakeSource implements MetricsSource {
        List<NodeMetrics> nodes = new ArrayList<>();
        List<PodMetrics> pods = new ArrayList<>();
        KubernetesClientException failure;
        int calls;

        @Override
        public List<NodeMetrics> nodes() {
            calls++;
            if (failure != null) {
                throw failure;
            }
            return nodes;
        }

        @Override
        public List<PodMetrics> pods() {
            return pods;
        }

        void node(String name, String cpu, String memory) {
            nodes.add(new NodeMetricsBuilder().withNewMetadata().withName(name).endMetadata()
                    .withUsage(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))).build());
        }

        void pod(String name, String cpu, String memory) {
            pods.add(new PodMetricsBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                    .addNewContainer().withName("a").withUsage(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))).endContainer()
                    .addNewContainer().withName("b").withUsage(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("1Mi"))).endContainer()
                    .build());
        }
    }

    @Test
    void samplesEveryIntervalIntoABoundedRingPerNodePodAndWorkload() {
        source.node("sim-0", "1500m", "2Gi");
        source.pod("web-1", "100m", "10Mi");
        source.pod("web-2", "200m", "20Mi");
        source.pod("db-0", "1", "1Gi");

        assertThat(sampler.sampleIfDue()).isTrue();
        assertThat(sampler.sampleIfDue()).isFalse();            // not due again before 10 s
        clock.advance(Duration.ofSeconds(9));
        assertThat(sampler.sampleIfDue()).isFalse();
        assertThat(source.calls).isEqualTo(1);

        assertThat(sampler.series(SeriesKey.node("sim-0"))).singleElement().satisfies(s -> {
            assertThat(s.cpuCores()).isCloseTo(1.5, within(1e-9));
            assertThat(s.memoryBytes()).isEqualTo(2.0 * (1 << 30));
        });
        // a pod is the sum of its containers; a workload the sum of its pods
        assertThat(sampler.series(SeriesKey.pod("default", "web-1")).getFirst().cpuCores()).isCloseTo(0.15, within(1e-9));
        assertThat(sampler.series(new SeriesKey("Deployment", "default", "web")).getFirst().cpuCores()).isCloseTo(0.4, within(1e-9));
        assertThat(sampler.series(new SeriesKey("ReplicaSet", "default", "web-abc")).getFirst().memoryBytes())
                .isEqualTo(32.0 * (1 << 20));
        assertThat(sampler.series(new SeriesKey("Deployment", "default", "db"))).isEmpty();

        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(10));
            assertThat(sampler.sampleIfDue()).isTrue();
        }
        List<MetricsSampler.Sample> kept = sampler.series(SeriesKey.node("sim-0"));
        assertThat(kept).hasSize(3).extracting(MetricsSampler.Sample::time).containsExactly(
                Instant.parse("2026-12-02T15:00:29Z"), Instant.parse("2026-12-02T15:00:39Z"), Instant.parse("2026-12-02T15:00:49Z"));
        assertThat(sampler.unavailable()).isNull();
    }

    @Test
    void aMissingOrUnavailableMetricsApiAddsNothingAndSaysWhy() {
        source.node("sim-0", "1", "1Gi");
        source.failure = new KubernetesClientException("the server could not find the requested resource", 404, null);
        sampler.sampleIfDue();
        assertThat(sampler.keys()).isEmpty();
        assertThat(sampler.unavailable()).contains("serves no metrics API").contains("404");

        clock.advance(Duration.ofSeconds(10));
        source.failure = new KubernetesClientException("service unavailable", 503, null);
        sampler.sampleIfDue();
        assertThat(sampler.keys()).isEmpty();
        assertThat(sampler.unavailable()).contains("503");

        clock.advance(Duration.ofSeconds(10));
        source.failure = null;
        sampler.sampleIfDue();
        assertThat(sampler.unavailable()).isNull();
        assertThat(sampler.series(SeriesKey.node("sim-0"))).hasSize(1);
        assertThat(sampler.lastSample()).isEqualTo(clock.instant());
    }

    @Test
    void seriesOfObjectsGoneForLongerThanTheBufferSpanAreDropped() {
        source.node("sim-0", "1", "1Gi");
        source.pod("web-1", "100m", "10Mi");
        sampler.sampleIfDue();
        source.pods.clear();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(10));
            sampler.sampleIfDue();
        }
        assertThat(sampler.series(SeriesKey.pod("default", "web-1"))).hasSize(1);   // still within the span
        clock.advance(Duration.ofSeconds(10));
        sampler.sampleIfDue();
        assertThat(sampler.keys()).containsExactly(SeriesKey.node("sim-0"));
    }

    @Test
    void refusesANonPositiveIntervalOrCapacity() {
        assertThatThrownBy(() -> new MetricsSampler(source, clock, Duration.ZERO, 3, (a, b) -> List.of()))
                .hasMessage("interval: must be positive, was PT0S");
        assertThatThrownBy(() -> new MetricsSampler(source, clock, Duration.ofSeconds(1), 0, (a, b) -> List.of()))
                .hasMessage("capacity: must be at least 1, was 0");
    }
}
