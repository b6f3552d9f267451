package dev.berth.core.controller.resourcequota;

import dev.berth.core.api.quota.QuotaEvaluation;
import dev.berth.core.api.quota.ResourceLists;
import dev.berth.core.controller.runtime.LoopComponent;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.time.Clock;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The ResourceQuota controller. As Kubernetes' it recomputes a quota when its spec changes (not
 * its status, which admission charges), when an object it counts is deleted, when a pod finishes,
 * when a Service changes type or ports, when a claim changes its request, and every
 * {@link ResourceQuotaReconciler#RESYNC} for everything. New objects are charged by admission,
 * so their creation queues nothing: a recount from a cache that has not seen them yet would
 * undo charges.
 */
public final class ResourceQuotas implements LoopComponent {
    public static final int DEFAULT_WORKERS = 2;

    private final ControlLoop loop;
    private final Informers informers;
    private final java.util.Set<Class<?>> watchedCounts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ResourceQuotas(ControllerContext context) {
        this.informers = context.informers();
        this.loop = new ControlLoop("resourcequota", context, new ResourceQuotaReconciler(context, this::watchCounted),
                DEFAULT_WORKERS);
        informers.of(ResourceQuota.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ResourceQuota q) {
                loop.enqueue(q);
            }

            @Override
            public void onUpdate(ResourceQuota old, ResourceQuota q) {
                if (!Objects.equals(old.getSpec(), q.getSpec()) || needsUsage(q)) {
                    loop.enqueue(q);
                }
            }

            @Override
            public void onDelete(ResourceQuota q, boolean deletedFinalStateUnknown) {
            }
        });
        Clock clock = context.clock();
        watch(Pod.class, (old, pod) -> QuotaEvaluation.countsAgainstQuota(old, clock.instant())
                && !QuotaEvaluation.countsAgainstQuota(pod, clock.instant()));
        watch(Service.class, (old, svc) -> !Objects.equals(typeOf(old), typeOf(svc))
                || !Objects.equals(portsOf(old), portsOf(svc)));
        watchedCounts.add(ResourceQuota.class);
        watch(ResourceQuota.class, (old, q) -> false);
        watch(PersistentVolumeClaim.class, (old, pvc) -> !Objects.equals(
                QuotaEvaluation.usage("", QuotaEvaluation.PVCS, old, clock.instant()),
                QuotaEvaluation.usage("", QuotaEvaluation.PVCS, pvc, clock.instant())));
    }

    /**
     * Watches a kind that is only counted the first time a quota counts it, so that a cluster
     * without such quotas keeps no cache of, say, every Secret.
     */
    private void watchCounted(Class<? extends HasMetadata> type) {
        if (watchedCounts.add(type)) {
            watch(type, (old, obj) -> false);
        }
    }

    /** Status hard differs from the spec, or some limited resource has no usage: as Kubernetes' addQuota. */
    private static boolean needsUsage(ResourceQuota q) {
        var hard = ResourceLists.of(q.getSpec() == null ? null : q.getSpec().getHard());
        var statusHard = ResourceLists.of(q.getStatus() == null ? null : q.getStatus().getHard());
        var used = ResourceLists.of(q.getStatus() == null ? null : q.getStatus().getUsed());
        return !ResourceLists.sameValues(hard, statusHard) || !used.keySet().containsAll(hard.keySet());
    }

    private static String typeOf(Service s) {
        return s.getSpec() == null ? null : s.getSpec().getType();
    }

    private static Integer portsOf(Service s) {
        return s.getSpec() == null || s.getSpec().getPorts() == null ? 0 : s.getSpec().getPorts().size();
    }

    /** Queues the namespace's quotas when an object goes away, or changes as {@code changesUsage} says. */
    private <T extends HasMetadata> void watch(Class<T> type, BiPredicate<T, T> changesUsage) {
        informers.of(type).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
            }

            @Override
            public void onUpdate(T old, T obj) {
                if (changesUsage.test(old, obj)) {
                    enqueueQuotasOf(obj.getMetadata().getNamespace());
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                enqueueQuotasOf(obj.getMetadata().getNamespace());
            }
        });
    }

    private void enqueueQuotasOf(String namespace) {
        for (ResourceQuota q : informers.inNamespace(ResourceQuota.class, namespace)) {
            loop.enqueue(q);
        }
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
