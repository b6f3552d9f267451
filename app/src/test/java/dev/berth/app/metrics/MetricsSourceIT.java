package dev.berth.app.metrics;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sampler against a real API server, which serves {@code metrics.k8s.io} (with no nodes, so
 * nothing to measure): both lists are read (a wrong path would answer 404 and the sampler say so).
 */
class MetricsSourceIT {
    @TempDir
    Path dir;

    @Test
    void readsNodeAndPodMetricsOfEveryNamespaceFromTheApiServer() throws Exception {
        try (TestApiServer server = new TestApiServer(dir);
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build()) {
            MetricsSampler sampler = new MetricsSampler(MetricsSource.of(client), Clock.systemUTC(), Duration.ofSeconds(10), 10,
                    (ns, pod) -> List.of());
            assertThat(sampler.sampleIfDue()).isTrue();
            assertThat(sampler.unavailable()).isNull();
            assertThat(sampler.lastSample()).isNotNull();
            assertThat(sampler.keys()).isEmpty();
        }
    }
}
