package dev.berth.core.controller.gc;

import dev.berth.core.controller.runtime.ApiResource;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import dev.berth.core.controller.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' garbage collection rules for one object, read from the informer caches:
 * <ul>
 *   <li>an object being deleted with the {@code orphan} finalizer has its uid removed from the
 *       ownerReferences of every dependent, then loses the finalizer;</li>
 *   <li>an object being deleted with the {@code foregroundDeletion} finalizer has its dependents
 *       deleted, and loses the finalizer once no dependent with {@code blockOwnerDeletion} is left;</li>
 *   <li>an object whose owners are all gone (by uid, confirmed with a live GET) is deleted in the
 *       background; one whose remaining owners are all being deleted in the foreground is deleted
 *       in the foreground when it has dependents of its own, so a chain goes bottom-up;</li>
 *   <li>an object with some owners left loses the references to the ones gone or going.</li>
 * </ul>
 */
public final class GarbageCollectorReconciler implements Reconciler<ObjectRef> {
    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";
    /** A safety net while an owner waits for its dependents; their events normally bring it back sooner. */
    static final Duration WAITING_FOR_DEPENDENTS_RECHECK = Duration.ofSeconds(30);

    static final int ABSENT_OWNER_CACHE_SIZE = 500;

    private static final Logger log = LoggerFactory.getLogger(GarbageCollectorReconciler.class);

    private final ResourceMonitors monitors;
    private final ObjectWriter writer;
    private final WorkQueue<ObjectRef> queue;
    /**
     * Owners a live read proved absent ("namespace/uid"): uids are never reused, so the many
     * dependents of one deleted owner need only one read between them.
     */
    private final Set<String> absentOwners = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > ABSENT_OWNER_CACHE_SIZE;
                }
            }));

    GarbageCollectorReconciler(ResourceMonitors monitors, ObjectWriter writer, WorkQueue<ObjectRef> queue) {
        this.monitors = monitors;
        this.writer = writer;
        this.queue = queue;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        GenericKubernetesResource obj = monitors.get(key.resource(), key.namespace(), key.name());
        if (obj == null || !key.uid().equals(obj.getMetadata().getUid())) {
            return Result.done(); // gone, or a namesake with another uid (which has its own key)
        }
        ObjectMeta meta = obj.getMetadata();
        if (meta.getDeletionTimestamp() != null) {
            if (hasFinalizer(obj, ORPHAN)) {
                return orphanDependents(key);
            }
            if (hasFinalizer(obj, FOREGROUND)) {
                return deleteDependentsFirst(key);
            }
            return Result.done();
        }
        List<OwnerReference> owners = meta.getOwnerReferences();
        if (owners == null || owners.isEmpty()) {
            return Result.done();
        }
        return collectIfOwnersAreGone(key, obj, owners);
    }

    private Result orphanDependents(ObjectRef owner) {
        for (ResourceMonitors.Node dependent : monitors.dependents(owner.uid())) {
            writer.removeOwnerReferences(dependent.ref(), Set.of(owner.uid()));
        }
        if (writer.removeFinalizer(owner, ORPHAN)) {
            log.info("orphaned the dependents of {}", owner);
        }
        return Result.done();
    }

    private Result deleteDependentsFirst(ObjectRef owner) {
        boolean blocked = false;
        for (ResourceMonitors.Node dependent : monitors.dependents(owner.uid())) {
            if (dependent.object().getMetadata().getDeletionTimestamp() == null) {
                queue.add(dependent.ref()); // its own reconcile sees this owner going and deletes it
            }
            if (blocksOwnerDeletion(dependent.object(), owner.uid())) {
                blocked = true;
            }
        }
        if (blocked) {
            return Result.requeueAfter(WAITING_FOR_DEPENDENTS_RECHECK);
        }
        if (writer.removeFinalizer(owner, FOREGROUND)) {
            log.info("deleted the blocking dependents of {}; removed {}", owner, FOREGROUND);
        }
        return Result.done();
    }

    private Result collectIfOwnersAreGone(ObjectRef key, GenericKubernetesResource obj, List<OwnerReference> owners) {
        Set<String> dangling = new HashSet<>();
        Set<String> waiting = new HashSet<>();
        int solid = 0;
        List<String> unresolved = new ArrayList<>();
        for (OwnerReference ref : owners) {
            switch (classify(key, ref)) {
                case SOLID, INVALID_SCOPE -> solid++;
                case DANGLING -> dangling.add(ref.getUid());
                case WAITING_FOR_DEPENDENTS -> waiting.add(ref.getUid());
                case UNRESOLVABLE -> unresolved.add(ref.getApiVersion() + "/" + ref.getKind() + " " + ref.getName());
            }
        }
        if (!unresolved.isEmpty() && solid == 0) {
            // the owner's kind may be served later (a CRD on its way): retry with backoff
            throw new IllegalStateException("cannot resolve the owners " + unresolved + " of " + key
                    + ": the server serves no such resource");
        }
        if (solid > 0 || !unresolved.isEmpty()) {
            Set<String> remove = new HashSet<>(dangling);
            remove.addAll(waiting);
            if (!remove.isEmpty() && writer.removeOwnerReferences(key, remove)) {
                log.info("removed the references to gone or going owners {} from {}", remove, key);
            }
            return Result.done();
        }
        String policy;
        if (!waiting.isEmpty() && !monitors.dependents(key.uid()).isEmpty()) {
            policy = "Foreground";
        } else if (hasFinalizer(obj, ORPHAN)) {
            policy = "Orphan";
        } else if (hasFinalizer(obj, FOREGROUND)) {
            policy = "Foreground";
        } else {
            policy = "Background";
        }
        if (writer.delete(key, policy)) {
            log.info("deleted {} ({} propagation): its owners are gone or going", key, policy);
        }
        return Result.done();
    }

    private enum OwnerState { SOLID, DANGLING, WAITING_FOR_DEPENDENTS, UNRESOLVABLE, INVALID_SCOPE }

    private OwnerState classify(ObjectRef dependent, OwnerReference ref) {
        ApiResource r = monitors.resolve(ref.getApiVersion(), ref.getKind());
        if (r == null) {
            return OwnerState.UNRESOLVABLE;
        }
        if (r.namespaced() && dependent.namespace().isEmpty()) {
            // a cluster-scoped object cannot be owned by a namespaced one; Kubernetes leaves it alone
            log.warn("{} is cluster-scoped but names the namespaced owner {} {}: ignored", dependent, ref.getKind(),
                    ref.getName());
            return OwnerState.INVALID_SCOPE;
        }
        String namespace = r.namespaced() ? dependent.namespace() : "";
        String absentKey = namespace + "/" + ref.getUid();
        if (absentOwners.contains(absentKey)) {
            return OwnerState.DANGLING;
        }
        HasMetadata owner = monitors.get(r, namespace, ref.getName());
        if (owner == null || !ref.getUid().equals(owner.getMetadata().getUid())) {
            // the cache may lag: only a live read proves the owner absent
            owner = writer.getLive(r, namespace, ref.getName());
        }
        if (owner == null || !ref.getUid().equals(owner.getMetadata().getUid())) {
            absentOwners.add(absentKey);
            return OwnerState.DANGLING;
        }
        if (owner.getMetadata().getDeletionTimestamp() != null && hasFinalizer(owner, FOREGROUND)) {
            return OwnerState.WAITING_FOR_DEPENDENTS;
        }
        return OwnerState.SOLID;
    }

    static boolean hasFinalizer(HasMetadata o, String finalizer) {
        List<String> f = o.getMetadata().getFinalizers();
        return f != null && f.contains(finalizer);
    }

    static boolean blocksOwnerDeletion(HasMetadata dependent, String ownerUid) {
        List<OwnerReference> refs = dependent.getMetadata().getOwnerReferences();
        return refs != null && refs.stream()
                .anyMatch(r -> ownerUid.equals(r.getUid()) && Boolean.TRUE.equals(r.getBlockOwnerDeletion()));
    }
}
