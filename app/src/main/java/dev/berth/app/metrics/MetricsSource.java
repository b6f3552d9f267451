package dev.berth.app.metrics;

import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.List;

/** Where samples come from: the metrics API ({@code metrics.k8s.io}). Calls may fail; the sampler says why. */
public interface MetricsSource {
    List<NodeMetrics> nodes();

    List<PodMetrics> pods();

    /**
     * The cluster's metrics API through {@code client}: {@code GET /apis/metrics.k8s.io/v1beta1/nodes}
     * and {@code .../pods} across all namespaces ({@code kubectl top pods -A}). A cluster that serves
     * none answers 404, which reaches the caller as a {@code KubernetesClientException}.
     */
    static MetricsSource of(KubernetesClient client) {
        ResourceDefinitionContext nodes = new ResourceDefinitionContext.Builder().withGroup("metrics.k8s.io")
                .withVersion("v1beta1").withPlural("nodes").withKind("NodeMetrics").withNamespaced(false).build();
        ResourceDefinitionContext pods = new ResourceDefinitionContext.Builder().withGroup("metrics.k8s.io")
                .withVersion("v1beta1").withPlural("pods").withKind("PodMetrics").withNamespaced(true).build();
        return new MetricsSource() {
            @Override
            public List<NodeMetrics> nodes() {
                return client.genericKubernetesResources(nodes).list().getItems().stream()
                        .map(g -> io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(g, NodeMetrics.class)).toList();
            }

            @Override
            public List<PodMetrics> pods() {
                return client.genericKubernetesResources(pods).inAnyNamespace().list().getItems().stream()
                        .map(g -> io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(g, PodMetrics.class)).toList();
            }
        };
    }
}
