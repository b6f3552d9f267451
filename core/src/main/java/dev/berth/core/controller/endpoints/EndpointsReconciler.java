package dev.berth.core.controller.endpoints;

import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the Endpoints of one Service (key {@code namespace/name}) from the pods it selects;
 * deletes them when the Service is gone; leaves Services without a selector alone. Writes only
 * what changed.
 */
public final class EndpointsReconciler implements Reconciler<String> {
    public static final String MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by";
    public static final String CONTROLLER_NAME = "endpoint-controller";
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    public static final String OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";

    private final KubernetesClient client;
    private final Informers informers;
    private final EventRecorder events;

    public EndpointsReconciler(KubernetesClient client, Informers informers, EventRecorder events) {
        this.client = client;
        this.informers = informers;
        this.events = events;
    }

    @Override
    public Result reconcile(String key) {
        String namespace = Keys.namespace(key);
        String name = Keys.name(key);
        Service service = informers.get(Service.class, key);
        Endpoints current = informers.get(Endpoints.class, key);
        if (service == null) {
            if (current != null && CONTROLLER_NAME.equals(label(current))) {
                try {
                    client.endpoints().inNamespace(namespace).withName(name).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                        throw e;
                    }
                }
            }
            return Result.done();
        }
        if (!PodEndpoints.hasSelector(service)) {
            return Result.done();   // user-managed Endpoints
        }
        List<Pod> pods = informers.inNamespace(Pod.class, namespace);
        EndpointsComputation.Subsets computed = EndpointsComputation.compute(service, pods);

        Map<String, String> labels = new LinkedHashMap<>();
        if (service.getMetadata().getLabels() != null) {
            labels.putAll(service.getMetadata().getLabels());
        }
        labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
        if ("None".equals(service.getSpec().getClusterIP())) {
            labels.put(HEADLESS_LABEL, "");
        } else {
            labels.remove(HEADLESS_LABEL);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (current != null && current.getMetadata().getAnnotations() != null) {
            annotations.putAll(current.getMetadata().getAnnotations());
        }
        if (computed.truncated()) {
            annotations.put(OVER_CAPACITY_ANNOTATION, "truncated");
        } else {
            annotations.remove(OVER_CAPACITY_ANNOTATION);
        }

        try {
            if (current == null) {
                client.endpoints().inNamespace(namespace).resource(new EndpointsBuilder()
                        .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
                        .withAnnotations(annotations.isEmpty() ? null : annotations).endMetadata()
                        .withSubsets(computed.subsets()).build()).create();
                return Result.done();
            }
            if (Objects.equals(nonNull(current.getSubsets()), computed.subsets())
                    && Objects.equals(nonNull(current.getMetadata().getLabels()), labels)
                    && Objects.equals(nonNull(current.getMetadata().getAnnotations()), annotations)) {
                return Result.done();
            }
            client.endpoints().inNamespace(namespace).resource(new EndpointsBuilder(current)
                    .editMetadata().withLabels(labels).withAnnotations(annotations.isEmpty() ? null : annotations)
                    .endMetadata()
                    .withSubsets(computed.subsets()).build()).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return Result.requeue();   // our cache was behind: compute again from fresh state
            }
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN && terminating(namespace)) {
                return Result.done();   // nothing is created in a namespace being deleted
            }
            events.warning(service, current == null ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
                    "Failed to %s endpoint %s/%s: %s", current == null ? "create" : "update", namespace, name,
                    e.getMessage());
            throw e;
        }
        return Result.done();
    }

    private boolean terminating(String namespace) {
        var ns = informers.get(io.fabric8.kubernetes.api.model.Namespace.class, namespace);
        return ns == null || ns.getMetadata().getDeletionTimestamp() != null;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Map<String, String> nonNull(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    private static String label(Endpoints e) {
        return e.getMetadata().getLabels() == null ? null : e.getMetadata().getLabels().get(MANAGED_BY_LABEL);
    }
}
