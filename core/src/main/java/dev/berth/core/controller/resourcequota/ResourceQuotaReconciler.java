package dev.berth.core.controller.resourcequota;

import dev.berth.core.api.quota.Amount;
import dev.berth.core.api.quota.QuotaEvaluation;
import dev.berth.core.api.quota.ResourceLists;
import dev.berth.core.controller.runtime.ApiDiscovery;
import dev.berth.core.controller.runtime.ApiResource;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Recomputes one quota's status: {@code hard} from the spec, {@code used} summed over the
 * namespace's objects that the quota's scopes select, for every resource the quota limits.
 */
final class ResourceQuotaReconciler implements Reconciler<String> {
    /** How often every quota is recomputed whatever happened, as Kubernetes' default resync. */
    static final Duration RESYNC = Duration.ofMinutes(5);
    /** How long a worker waits for the cache of a kind it has just started to watch. */
    static final Duration CACHE_WAIT = Duration.ofSeconds(30);

    /** Core kinds counted from the shared informers beyond pods, services and claims. */
    static final Map<String, Class<? extends HasMetadata>> COUNTED_ONLY = Map.of(
            "configmaps", ConfigMap.class,
            "secrets", Secret.class,
            "replicationcontrollers", ReplicationController.class,
            "resourcequotas", ResourceQuota.class);

    private static final Map<String, Class<? extends HasMetadata>> CACHED = new LinkedHashMap<>();

    static {
        CACHED.put(QuotaEvaluation.PODS, Pod.class);
        CACHED.put(QuotaEvaluation.SERVICES, Service.class);
        CACHED.put(QuotaEvaluation.PVCS, PersistentVolumeClaim.class);
        CACHED.putAll(COUNTED_ONLY);
    }

    private final ControllerContext context;
    private final Informers informers;
    private final Consumer<Class<? extends HasMetadata>> watchCounted;

    /** @param watchCounted starts watching a kind that is only counted, the first time a quota counts it */
    ResourceQuotaReconciler(ControllerContext context, Consumer<Class<? extends HasMetadata>> watchCounted) {
        this.context = context;
        this.informers = context.informers();
        this.watchCounted = watchCounted;
    }

    @Override
    public Result reconcile(String key) throws Exception {
        ResourceQuota quota = informers.get(ResourceQuota.class, key);
        if (quota == null || quota.getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        SortedMap<String, Amount> hard = ResourceLists.of(quota.getSpec() == null ? null : quota.getSpec().getHard());
        SortedMap<String, Amount> used = ResourceLists.of(quota.getStatus() == null ? null : quota.getStatus().getUsed());
        for (var e : COUNTED_ONLY.entrySet()) {
            if (!QuotaEvaluation.matchingResources("", e.getKey(), hard.keySet()).isEmpty()) {
                watchCounted.accept(e.getValue());
                awaitCache(e.getValue());
            }
        }
        used.putAll(usage(quota, hard.keySet()));
        used = ResourceLists.mask(used, hard.keySet());
        writeStatus(quota, hard, used);
        return Result.requeueAfter(RESYNC);
    }

    /** A cache started just now must be filled before it is counted (real time: it is network I/O). */
    private void awaitCache(Class<? extends HasMetadata> type) throws InterruptedException {
        var informer = informers.of(type);
        long deadline = System.nanoTime() + CACHE_WAIT.toNanos();
        while (!informer.hasSynced()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cache of " + type.getSimpleName() + " did not fill within "
                        + CACHE_WAIT.toSeconds() + "s");
            }
            Thread.sleep(10);
        }
    }

    /** The usage of every resource in {@code names} that some kind of object uses. */
    SortedMap<String, Amount> usage(ResourceQuota quota, Set<String> names) {
        String ns = quota.getMetadata().getNamespace();
        Instant now = context.clock().instant();
        SortedMap<String, Amount> used = new TreeMap<>();
        Set<String> covered = new TreeSet<>();
        for (var e : CACHED.entrySet()) {
            Set<String> matching = QuotaEvaluation.matchingResources("", e.getKey(), names);
            if (matching.isEmpty()) {
                continue;
            }
            covered.addAll(matching);
            used = ResourceLists.add(used, zeros(matching));
            for (HasMetadata obj : informers.inNamespace(e.getValue(), ns)) {
                if (QuotaEvaluation.matches(quota, names, "", e.getKey(), obj)) {
                    used = ResourceLists.add(used, ResourceLists.mask(QuotaEvaluation.usage("", e.getKey(), obj, now), matching));
                }
            }
        }
        Set<String> otherCounts = new TreeSet<>(names);
        otherCounts.removeAll(covered);
        otherCounts.removeIf(n -> !n.startsWith("count/"));
        if (!otherCounts.isEmpty()) {
            used.putAll(countOthers(quota, otherCounts));
        }
        return used;
    }

    /** {@code count/RESOURCE.GROUP} of kinds without a shared informer: listed through the API. */
    private SortedMap<String, Amount> countOthers(ResourceQuota quota, Set<String> names) {
        SortedMap<String, Amount> out = new TreeMap<>();
        List<ApiResource> resources = ApiDiscovery.preferredResources(context.client()).resources();
        for (ApiResource r : resources) {
            String name = QuotaEvaluation.countName(r.group(), r.resource());
            if (!names.contains(name) || !r.namespaced() || !r.supports("list")) {
                continue;
            }
            long n = 0;
            if (QuotaEvaluation.scopeSelectors(quota).isEmpty()) {
                List<GenericKubernetesResource> items = context.client().genericKubernetesResources(r.context())
                        .inNamespace(quota.getMetadata().getNamespace()).list().getItems();
                n = items.size();
            }
            out.put(name, Amount.count(n));
        }
        return out;
    }

    private static SortedMap<String, Amount> zeros(Set<String> names) {
        SortedMap<String, Amount> out = new TreeMap<>();
        names.forEach(n -> out.put(n, Amount.ZERO));
        return out;
    }

    private void writeStatus(ResourceQuota quota, SortedMap<String, Amount> hard, SortedMap<String, Amount> used) {
        ResourceQuotaStatus old = quota.getStatus();
        if (old != null && ResourceLists.sameValues(ResourceLists.of(old.getHard()), hard)
                && ResourceLists.sameValues(ResourceLists.of(old.getUsed()), used)) {
            return;
        }
        // hard is copied as written in the spec, as Kubernetes does
        ResourceQuotaStatus status = new ResourceQuotaStatus(
                quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of() : new TreeMap<>(quota.getSpec().getHard()),
                ResourceLists.toQuantities(used));
        ResourceQuota updated = new ResourceQuotaBuilder(quota).withStatus(status).build();
        try {
            context.client().resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw e; // 409: admission charged meanwhile; the queue retries with the newer quota
        }
    }
}
