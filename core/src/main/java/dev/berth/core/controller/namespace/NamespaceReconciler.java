package dev.berth.core.controller.namespace;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.controller.runtime.ApiDiscovery;
import dev.berth.core.controller.runtime.ApiResource;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Empties a namespace that is being deleted, then lets it go: deletes every namespaced resource in
 * it (deletecollection where served, one by one otherwise), reports progress in the status
 * conditions, comes back with backoff while content remains (finalizers and graceful deletion take
 * time), and finally removes {@code kubernetes} from {@code spec.finalizers} through the
 * {@code finalize} subresource, after which the API server removes the namespace.
 */
public final class NamespaceReconciler implements Reconciler<String> {
    public static final String FINALIZER = "kubernetes";

    private static final Logger log = LoggerFactory.getLogger(NamespaceReconciler.class);

    private final KubernetesClient client;
    private final Function<String, Namespace> cached;
    private final Clock clock;

    /** {@code cached} looks a namespace up by name in an informer cache (read-only). */
    public NamespaceReconciler(KubernetesClient client, Function<String, Namespace> cached, Clock clock) {
        this.client = client;
        this.cached = cached;
        this.clock = clock;
    }

    @Override
    public Result reconcile(String name) {
        Namespace ns = cached.apply(name);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) {
            return Result.done();
        }
        List<String> finalizers = ns.getSpec() == null || ns.getSpec().getFinalizers() == null
                ? List.of() : ns.getSpec().getFinalizers();
        if (!finalizers.contains(FINALIZER)) {
            return Result.done(); // ours is done; other finalizers are someone else's
        }
        ContentDeletion pass = deleteContent(name);
        updateConditions(ns, pass);
        if (!pass.discoveryFailures().isEmpty() || !pass.deleteFailures().isEmpty()) {
            throw new IllegalStateException("namespace " + name + ": content deletion incomplete: discovery failures "
                    + pass.discoveryFailures() + ", delete failures " + pass.deleteFailures());
        }
        if (!pass.remainingByResource().isEmpty()) {
            log.debug("namespace {}: waiting for {} (finalizers {})", name, pass.remainingByResource(),
                    pass.remainingByFinalizer());
            return Result.requeue();
        }
        finalizeNamespace(name);
        return Result.done();
    }

    private ContentDeletion deleteContent(String namespace) {
        ApiDiscovery.Discovered discovered;
        try {
            discovered = ApiDiscovery.preferredResources(client);
        } catch (KubernetesClientException e) {
            return new ContentDeletion(Map.of("", e.getMessage()), List.of(), new TreeMap<>(), new TreeMap<>());
        }
        List<String> deleteFailures = new ArrayList<>();
        TreeMap<String, Integer> remaining = new TreeMap<>();
        TreeMap<String, Integer> byFinalizer = new TreeMap<>();
        for (ApiResource r : discovered.resources()) {
            if (!r.namespaced() || !r.supports("list") || !(r.supports("delete") || r.supports("deletecollection"))) {
                continue;
            }
            try {
                List<GenericKubernetesResource> left = deleteAll(r, namespace);
                if (!left.isEmpty()) {
                    remaining.put(r.qualifiedName(), left.size());
                    for (GenericKubernetesResource o : left) {
                        List<String> f = o.getMetadata().getFinalizers();
                        if (f != null) {
                            f.forEach(x -> byFinalizer.merge(x, 1, Integer::sum));
                        }
                    }
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404 && e.getCode() != 405) {
                    deleteFailures.add(r.qualifiedName() + ": " + e.getMessage());
                }
            }
        }
        return new ContentDeletion(discovered.failedGroupVersions(), deleteFailures, remaining, byFinalizer);
    }

    /** Deletes what is in the namespace and returns what is still there afterwards. */
    private List<GenericKubernetesResource> deleteAll(ApiResource r, String namespace) {
        var op = client.genericKubernetesResources(r.context()).inNamespace(namespace);
        if (r.supports("deletecollection")) {
            client.raw(r.path(namespace, null), "DELETE", deleteOptions());
        } else {
            for (GenericKubernetesResource o : op.list().getItems()) {
                if (o.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                try {
                    client.raw(r.path(namespace, o.getMetadata().getName()), "DELETE", deleteOptions());
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
        return op.list().getItems();
    }

    private static Map<String, Object> deleteOptions() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("kind", "DeleteOptions");
        o.put("apiVersion", "v1");
        o.put("propagationPolicy", "Background");
        return o;
    }

    private void updateConditions(Namespace ns, ContentDeletion pass) {
        List<NamespaceCondition> existing = ns.getStatus() == null ? List.of() : ns.getStatus().getConditions();
        List<NamespaceCondition> next = NamespaceConditions.compute(pass, existing, clock.instant());
        if (!NamespaceConditions.differ(existing, next)) {
            return;
        }
        Namespace copy = new NamespaceBuilder(ns).build();
        if (copy.getStatus() == null) {
            copy.setStatus(new NamespaceStatus());
        }
        List<NamespaceCondition> merged = new ArrayList<>(next);
        if (existing != null) {
            existing.stream().filter(c -> next.stream().noneMatch(n -> n.getType().equals(c.getType())))
                    .forEach(merged::add);
        }
        copy.getStatus().setConditions(merged);
        try {
            client.raw("/api/v1/namespaces/" + ns.getMetadata().getName() + "/status", "PUT", copy);
        } catch (KubernetesClientException e) {
            // conditions are informative: a conflict or a namespace gone meanwhile is no reason to stop
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void finalizeNamespace(String name) {
        Namespace live = client.namespaces().withName(name).get();
        if (live == null || live.getSpec() == null || live.getSpec().getFinalizers() == null
                || !live.getSpec().getFinalizers().contains(FINALIZER)) {
            return;
        }
        List<String> rest = live.getSpec().getFinalizers().stream().filter(f -> !f.equals(FINALIZER)).toList();
        // the list is written out even when empty: serializers omit empty lists, and an absent
        // spec.finalizers is not understood as "none" by every server
        ObjectNode body = Json.MAPPER.valueToTree(live);
        ArrayNode finalizers = body.withObject("spec").putArray("finalizers");
        rest.forEach(finalizers::add);
        try {
            client.raw("/api/v1/namespaces/" + name + "/finalize", "PUT", Json.string(body));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw e; // a conflict comes back with backoff
        }
        log.info("namespace {}: content removed; finalized", name);
    }
}
