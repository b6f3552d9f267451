package dev.berth.app.metrics;

import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;

/** Where samples come from: the metrics API ({@code metrics.k8s.io}). Calls may fail; the sampler says why. */
public interface MetricsSource {
    List<NodeMetrics> nodes();

    List<PodMetrics> pods();

    /** The cluster's metrics API through {@code client} ({@code kubectl top}'s calls). */
    static MetricsSource of(KubernetesClient client) {
        return new MetricsSource() {
            @Override
            public List<NodeMetrics> nodes() {
                return client.top().nodes().metrics().getItems();
            }

            @Override
            public List<PodMetrics> pods() {
                return client.top().pods().metrics().getItems();
            }
        };
    }
}
