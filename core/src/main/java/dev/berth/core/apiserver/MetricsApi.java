package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.metrics.ResourceMetrics;
import dev.berth.core.metrics.Usage;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * {@code metrics.k8s.io/v1beta1} as metrics-server serves it: NodeMetrics and PodMetrics from the
 * latest scrape held in memory, labelled like their node or pod so that label selectors
 * ({@code kubectl top pod -l}, the HorizontalPodAutoscaler) select them.
 */
final class MetricsApi {
    private final ResourceMetrics metrics;
    private final ResourceStorage storage;
    private final ResourceType nodes;
    private final ResourceType pods;

    MetricsApi(ResourceMetrics metrics, ResourceStorage storage, ResourceRegistry registry) {
        this.metrics = metrics;
        this.storage = storage;
        this.nodes = registry.find("", "v1", "nodes").orElseThrow();
        this.pods = registry.find("", "v1", "pods").orElseThrow();
    }

    ApiResponse handle(ApiRequest req, RequestInfo info, ResourceType type) {
        if (!info.subresource().isEmpty()) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (!info.verb().equals("get") && !info.verb().equals("list")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (req.flag("watch")) {
            throw ApiException.methodNotAllowed("metrics cannot be watched: list them again instead");
        }
        LabelSelector selector = LabelSelector.parse(req.param("labelSelector"));
        boolean nodeMetrics = type.resource().equals("nodes");
        if (info.verb().equals("get")) {
            String name = info.name();
            ObjectNode item = nodeMetrics ? nodeItem(metrics.node(name)) : podItem(metrics.pod(info.namespace(), name));
            if (item == null) {
                throw ApiException.notFound("metrics.k8s.io", type.resource(), name);
            }
            item.put("kind", type.kind());
            item.put("apiVersion", type.apiVersion());
            return ApiResponse.Full.json(200, Json.bytes(item));
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", type.kind() + "List");
        list.put("apiVersion", type.apiVersion());
        list.putObject("metadata");
        var items = list.putArray("items");
        if (nodeMetrics) {
            metrics.nodes().stream().sorted(Comparator.comparing(ResourceMetrics.NodeSample::node))
                    .map(this::nodeItem)
                    .filter(i -> i != null && selector.matches(labelsOf(i)))
                    .forEach(items::add);
        } else {
            String ns = info.namespace().isEmpty() ? null : info.namespace();
            metrics.pods(ns).stream()
                    .sorted(Comparator.comparing(ResourceMetrics.PodSample::namespace).thenComparing(ResourceMetrics.PodSample::name))
                    .map(this::podItem)
                    .filter(i -> i != null && selector.matches(labelsOf(i)))
                    .forEach(items::add);
        }
        return ApiResponse.Full.json(200, Json.bytes(list));
    }

    private static Map<String, String> labelsOf(ObjectNode item) {
        JsonNode labels = item.path("metadata").path("labels");
        if (!labels.isObject()) {
            return Map.of();
        }
        Map<String, String> out = new java.util.HashMap<>();
        labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The node's metrics, or null when it has none or the node is gone. */
    private ObjectNode nodeItem(ResourceMetrics.NodeSample s) {
        if (s == null) {
            return null;
        }
        CachedObject node = storage.cache().resource(nodes.storage()).get(nodes.key("", s.node()));
        if (node == null) {
            return null;
        }
        ObjectNode item = Json.MAPPER.createObjectNode();
        ObjectNode meta = item.putObject("metadata");
        meta.put("name", s.node());
        meta.put("creationTimestamp", ResourceStorage.timestamp(storage.clock().instant()));
        copyLabels(node, meta);
        item.put("timestamp", ResourceStorage.timestamp(s.timestamp()));
        item.put("window", window(s.window()));
        usage(item.putObject("usage"), s.usage());
        return item;
    }

    /** The pod's metrics, or null when it has none or the pod is gone. */
    private ObjectNode podItem(ResourceMetrics.PodSample s) {
        if (s == null) {
            return null;
        }
        CachedObject pod = storage.cache().resource(pods.storage()).get(pods.key(s.namespace(), s.name()));
        if (pod == null) {
            return null;
        }
        ObjectNode item = Json.MAPPER.createObjectNode();
        ObjectNode meta = item.putObject("metadata");
        meta.put("name", s.name());
        meta.put("namespace", s.namespace());
        meta.put("creationTimestamp", ResourceStorage.timestamp(storage.clock().instant()));
        copyLabels(pod, meta);
        item.put("timestamp", ResourceStorage.timestamp(s.timestamp()));
        item.put("window", window(s.window()));
        var containers = item.putArray("containers");
        for (ResourceMetrics.ContainerSample c : s.containers()) {
            ObjectNode cn = containers.addObject();
            cn.put("name", c.name());
            usage(cn.putObject("usage"), c.usage());
        }
        return item;
    }

    private static void copyLabels(CachedObject from, ObjectNode meta) {
        JsonNode labels = from.tree().path("metadata").path("labels");
        if (labels.isObject() && !labels.isEmpty()) {
            meta.set("labels", labels.deepCopy());
        }
    }

    private static void usage(ObjectNode into, Usage u) {
        into.put("cpu", u.cpuQuantity());
        into.put("memory", u.memoryQuantity());
    }

    private static String window(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
