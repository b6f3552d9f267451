package dev.berth.core.controller.statefulset;

import dev.berth.core.controller.history.ControllerRevisions;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs a StatefulSet as Kubernetes' StatefulSet controller does: pods SET-0..N-1 with a stable
 * hostname under the governing Service, claims from volumeClaimTemplates created before their pod
 * and kept after it (unless persistentVolumeClaimRetentionPolicy says Delete, carried out by the
 * garbage collector through ownerReferences), OrderedReady (one at a time, each after its
 * predecessors are Running and Ready; scale down from the highest ordinal) or Parallel pod
 * management, RollingUpdate from the highest ordinal down to the partition, OnDelete, failed pods
 * recreated, and revisions kept as ControllerRevisions.
 */
public final class StatefulSetReconciler implements Reconciler<String> {
    /** Pod index by the uid of its controller. */
    public static final String CONTROLLER_UID_INDEX = "controllerUID";

    private final KubernetesClient client;
    private final Informers informers;
    private final Clock clock;
    private final EventRecorder events;

    public StatefulSetReconciler(KubernetesClient client, Informers informers, Clock clock, EventRecorder events) {
        this.client = client;
        this.informers = informers;
        this.clock = clock;
        this.events = events;
    }

    /** What one sync saw and chose, in ordinal slots. */
    private record View(StatefulSet sts, Map<Integer, Pod> replicas, List<Pod> condemned, int start, int count,
                        String currentRevision, String updateRevision, PodTemplateSpec currentTemplate,
                        PodTemplateSpec updateTemplate, boolean monotonic, int minReady, Instant now) {
    }

    @Override
    public Result reconcile(String key) {
        if (!informers.hasSynced()) {
            return Result.requeueAfter(Duration.ofSeconds(1)); // never act on a partial cache
        }
        StatefulSet sts = informers.get(StatefulSet.class, key);
        if (sts == null || sts.getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        String ns = sts.getMetadata().getNamespace();
        PodTemplateSpec template = sts.getSpec().getTemplate();
        List<ControllerRevision> history = ControllerRevisions.ownedBy(
                informers.inNamespace(ControllerRevision.class, ns), sts);
        Integer collisions = sts.getStatus() == null ? null : sts.getStatus().getCollisionCount();
        ControllerRevisions.Current update = ControllerRevisions.ensure(client, sts,
                template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels(),
                ControllerRevisions.HASH_LABEL, ControllerRevisions.templatePatch(template), history, collisions);
        String updateName = update.revision().getMetadata().getName();
        String currentName = sts.getStatus() == null ? null : sts.getStatus().getCurrentRevision();
        ControllerRevision currentRev = history.stream()
                .filter(r -> r.getMetadata().getName().equals(currentName)).findFirst().orElse(null);
        PodTemplateSpec currentTemplate = template;
        if (currentRev == null || currentRev.getMetadata().getName().equals(updateName)) {
            currentRev = update.revision();
        } else {
            currentTemplate = ControllerRevisions.template(currentRev);
        }

        int start = sts.getSpec().getOrdinals() != null && sts.getSpec().getOrdinals().getStart() != null
                ? sts.getSpec().getOrdinals().getStart() : 0;
        int count = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        Map<Integer, Pod> replicas = new TreeMap<>();
        List<Pod> condemned = new ArrayList<>();
        List<Pod> owned = informers.of(Pod.class).getIndexer().byIndex(CONTROLLER_UID_INDEX, sts.getMetadata().getUid());
        List<Pod> pods = new ArrayList<>();
        for (Pod p : owned) {
            int ord = StatefulPods.ordinal(sts, p);
            if (ord < 0) {
                continue;
            }
            pods.add(p);
            if (ord >= start && ord < start + count) {
                replicas.put(ord, p);
            } else {
                condemned.add(p);
            }
        }
        // highest ordinal first: the order they go in
        condemned.sort((a, b) -> Integer.compare(StatefulPods.ordinal(sts, b), StatefulPods.ordinal(sts, a)));
        Instant now = clock.instant();
        View v = new View(sts, replicas, condemned, start, count, currentRev.getMetadata().getName(), updateName,
                currentTemplate, template, !"Parallel".equals(sts.getSpec().getPodManagementPolicy()),
                sts.getSpec().getMinReadySeconds() == null ? 0 : sts.getSpec().getMinReadySeconds(), now);

        sync(v);

        Set<String> live = new HashSet<>(List.of(v.currentRevision(), v.updateRevision()));
        pods.forEach(p -> {
            if (StatefulPods.revision(p) != null) {
                live.add(StatefulPods.revision(p));
            }
        });
        int limit = sts.getSpec().getRevisionHistoryLimit() == null ? 10 : sts.getSpec().getRevisionHistoryLimit();
        ControllerRevisions.truncate(client, ControllerRevisions.ownedBy(
                informers.inNamespace(ControllerRevision.class, ns), sts), live, limit);
        return updateStatus(v, pods, update.collisionCount());
    }

    /** Kubernetes' {@code updateStatefulSet}: replicas in order, then the condemned, then the rolling update. */
    private void sync(View v) {
        Pod firstUnhealthy = null;
        for (int ord = v.start(); ord < v.start() + v.count(); ord++) {
            Pod p = v.replicas().get(ord);
            if (!StatefulPods.isHealthy(p) && firstUnhealthy == null) {
                firstUnhealthy = p;
            }
        }
        for (int i = v.condemned().size() - 1; i >= 0 && firstUnhealthy == null; i--) {
            if (!StatefulPods.isHealthy(v.condemned().get(i))) {
                firstUnhealthy = v.condemned().get(i);
            }
        }
        boolean blocked = false;
        for (int ord = v.start(); ord < v.start() + v.count(); ord++) {
            if (processReplica(v, ord) && v.monotonic()) {
                blocked = true;
                break;
            }
        }
        if (blocked) {
            return;
        }
        for (Pod p : v.condemned()) {
            fixClaims(v, p, false);
        }
        for (Pod p : v.condemned()) {
            if (StatefulPods.isTerminating(p)) {
                if (v.monotonic()) {
                    return;
                }
                continue;
            }
            if (v.monotonic() && p != firstUnhealthy
                    && !StatefulPods.isRunningAndAvailable(p, v.minReady(), v.now())) {
                return;
            }
            deletePod(v.sts(), p);
            if (v.monotonic()) {
                return;
            }
        }
        var strategy = v.sts().getSpec().getUpdateStrategy();
        if (strategy == null || !"RollingUpdate".equals(strategy.getType())) {
            return;
        }
        int partition = strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null
                ? 0 : strategy.getRollingUpdate().getPartition();
        for (int ord = v.start() + v.count() - 1; ord >= v.start() + partition; ord--) {
            Pod p = v.replicas().get(ord);
            if (p == null) {
                return;
            }
            if (!v.updateRevision().equals(StatefulPods.revision(p)) && !StatefulPods.isTerminating(p)) {
                deletePod(v.sts(), p);
                return;
            }
            if (!StatefulPods.isHealthy(p)) {
                return;
            }
        }
    }

    /** One ordinal slot; true when an OrderedReady set must wait here. */
    private boolean processReplica(View v, int ord) {
        StatefulSet sts = v.sts();
        Pod p = v.replicas().get(ord);
        if (p != null && StatefulPods.isFinished(p)) {
            if (!StatefulPods.isTerminating(p)) {
                events.warning(sts, "Failed".equals(StatefulPods.phase(p)) ? "RecreatingFailedPod" : "RecreatingTerminatedPod",
                        "StatefulSet %s/%s is recreating %s Pod %s", sts.getMetadata().getNamespace(),
                        sts.getMetadata().getName(), "Failed".equals(StatefulPods.phase(p)) ? "failed" : "terminated",
                        p.getMetadata().getName());
                deletePod(sts, p);
            }
            // the new pod is created once the old one is gone from the cache
            return true;
        }
        if (p == null) {
            boolean useCurrent = isRollingUpdate(sts) && ord - v.start() < partition(sts);
            Pod pod = useCurrent
                    ? StatefulPods.newPod(sts, v.currentTemplate(), v.currentRevision(), ord)
                    : StatefulPods.newPod(sts, v.updateTemplate(), v.updateRevision(), ord);
            createClaims(sts, pod, ord);
            createPod(sts, pod);
            return true;
        }
        createClaims(sts, p, ord);
        if (StatefulPods.isTerminating(p)) {
            return true;
        }
        if (!StatefulPods.isRunningAndAvailable(p, v.minReady(), v.now())) {
            return true;
        }
        fixIdentity(sts, p, ord);
        fixClaims(v, p, true);
        return false;
    }

    private void createClaims(StatefulSet sts, Pod pod, int ord) {
        for (PersistentVolumeClaim t : StatefulPods.claimTemplates(sts)) {
            String name = StatefulPods.claimName(t.getMetadata().getName(), sts, ord);
            String ns = sts.getMetadata().getNamespace();
            if (informers.get(PersistentVolumeClaim.class, Keys.of(ns, name)) != null) {
                continue;
            }
            PersistentVolumeClaim claim = StatefulPods.newClaim(sts, t, ord);
            if (deletesWith(sts, true)) {
                claim.getMetadata().setOwnerReferences(List.of(ownerRef(sts)));
            }
            try {
                client.persistentVolumeClaims().inNamespace(ns).resource(claim).create();
                events.normal(sts, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success",
                        name, pod.getMetadata().getName(), sts.getMetadata().getName());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    continue;
                }
                events.warning(sts, "FailedCreate", "create Claim %s for Pod %s in StatefulSet %s failed error: %s",
                        name, pod.getMetadata().getName(), sts.getMetadata().getName(), e.getMessage());
                throw e;
            }
        }
    }

    private void createPod(StatefulSet sts, Pod pod) {
        try {
            client.pods().inNamespace(sts.getMetadata().getNamespace()).resource(pod).create();
            events.normal(sts, "SuccessfulCreate", "create Pod %s in StatefulSet %s successful",
                    pod.getMetadata().getName(), sts.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return; // created by an earlier sync the cache has not shown yet
            }
            events.warning(sts, "FailedCreate", "create Pod %s in StatefulSet %s failed error: %s",
                    pod.getMetadata().getName(), sts.getMetadata().getName(), e.getMessage());
            throw e;
        }
    }

    private void deletePod(StatefulSet sts, Pod pod) {
        try {
            client.pods().inNamespace(sts.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
            events.normal(sts, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful",
                    pod.getMetadata().getName(), sts.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            events.warning(sts, "FailedDelete", "delete Pod %s in StatefulSet %s failed error: %s",
                    pod.getMetadata().getName(), sts.getMetadata().getName(), e.getMessage());
            throw e;
        }
    }

    /** Puts back the identity labels of a pod that lost them. */
    private void fixIdentity(StatefulSet sts, Pod p, int ord) {
        Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
        String name = StatefulPods.podName(sts, ord);
        if (name.equals(labels.get(StatefulPods.POD_NAME_LABEL))
                && Integer.toString(ord).equals(labels.get(StatefulPods.POD_INDEX_LABEL))) {
            return;
        }
        Map<String, String> fixed = new HashMap<>(labels);
        fixed.put(StatefulPods.POD_NAME_LABEL, name);
        fixed.put(StatefulPods.POD_INDEX_LABEL, Integer.toString(ord));
        client.pods().inNamespace(sts.getMetadata().getNamespace())
                .resource(new PodBuilder(p).editMetadata().withLabels(fixed).endMetadata().build()).update();
    }

    /**
     * Makes a pod's claims' ownerReferences match persistentVolumeClaimRetentionPolicy, as Kubernetes'
     * {@code updateClaimOwnerRefForSetAndPod}: WhenDeleted=Delete makes the set an owner of claims of
     * pods in range; WhenScaled=Delete makes a scaled-down pod the owner of its claims.
     */
    private void fixClaims(View v, Pod pod, boolean inRange) {
        StatefulSet sts = v.sts();
        int ord = StatefulPods.ordinal(sts, pod);
        String ns = sts.getMetadata().getNamespace();
        for (PersistentVolumeClaim t : StatefulPods.claimTemplates(sts)) {
            PersistentVolumeClaim claim = informers.get(PersistentVolumeClaim.class,
                    Keys.of(ns, StatefulPods.claimName(t.getMetadata().getName(), sts, ord)));
            if (claim == null) {
                continue;
            }
            List<OwnerReference> refs = new ArrayList<>(claim.getMetadata().getOwnerReferences() == null
                    ? List.of() : claim.getMetadata().getOwnerReferences());
            List<OwnerReference> before = List.copyOf(refs);
            boolean setOwns = deletesWith(sts, true) && (inRange || !deletesWith(sts, false));
            boolean podOwns = !inRange && deletesWith(sts, false);
            setRef(refs, sts, setOwns);
            setRef(refs, pod, podOwns);
            if (!refs.equals(before)) {
                client.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder(claim)
                        .editMetadata().withOwnerReferences(refs).endMetadata().build()).update();
            }
        }
    }

    private static void setRef(List<OwnerReference> refs, HasMetadata owner, boolean present) {
        boolean has = refs.stream().anyMatch(r -> owner.getMetadata().getUid().equals(r.getUid()));
        if (present && !has) {
            refs.add(ownerRef(owner));
        } else if (!present && has) {
            refs.removeIf(r -> owner.getMetadata().getUid().equals(r.getUid()));
        }
    }

    private static OwnerReference ownerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build();
    }

    /** True when the retention policy deletes claims when the set is deleted ({@code whenDeleted}) or scaled. */
    private static boolean deletesWith(StatefulSet sts, boolean whenDeleted) {
        var policy = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
        if (policy == null) {
            return false;
        }
        return "Delete".equals(whenDeleted ? policy.getWhenDeleted() : policy.getWhenScaled());
    }

    private static boolean isRollingUpdate(StatefulSet sts) {
        return sts.getSpec().getUpdateStrategy() != null && "RollingUpdate".equals(sts.getSpec().getUpdateStrategy().getType());
    }

    private static int partition(StatefulSet sts) {
        var ru = sts.getSpec().getUpdateStrategy().getRollingUpdate();
        return ru == null || ru.getPartition() == null ? 0 : ru.getPartition();
    }

    private Result updateStatus(View v, List<Pod> pods, Integer collisionCount) {
        StatefulSet sts = v.sts();
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
        Duration recheck = null;
        for (Pod p : pods) {
            replicas++;
            if (StatefulPods.isRunningAndReady(p)) {
                ready++;
                if (StatefulPods.isRunningAndAvailable(p, v.minReady(), v.now())) {
                    available++;
                } else {
                    Duration left = Duration.between(v.now(), StatefulPods.readySince(p).plusSeconds(v.minReady()));
                    recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
                }
            }
            if (!StatefulPods.isTerminating(p)) {
                if (v.currentRevision().equals(StatefulPods.revision(p))) {
                    current++;
                }
                if (v.updateRevision().equals(StatefulPods.revision(p))) {
                    updated++;
                }
            }
        }
        String currentRevision = v.currentRevision();
        if (isRollingUpdate(sts) && updated == replicas && ready == replicas) {
            current = updated;
            currentRevision = v.updateRevision();
        }
        StatefulSetStatus old = sts.getStatus();
        StatefulSetStatus status = new StatefulSetStatusBuilder(old == null ? new StatefulSetStatus() : old)
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .withAvailableReplicas(available)
                .withCurrentReplicas(current)
                .withUpdatedReplicas(updated)
                .withCurrentRevision(currentRevision)
                .withUpdateRevision(v.updateRevision())
                .withCollisionCount(collisionCount)
                .build();
        if (!Objects.equals(old, status)) {
            writeStatus(sts, status);
        }
        if (recheck != null) {
            return Result.requeueAfter(recheck.isNegative() ? Duration.ZERO : recheck.plusMillis(100));
        }
        return Result.done();
    }

    /**
     * Writes status; on a conflict (the cache is behind the server) it reads the object afresh and
     * tries once more, as Kubernetes' controllers do, unless the spec moved on meanwhile.
     */
    private void writeStatus(StatefulSet obj, StatefulSetStatus status) {
        var resource = client.apps().statefulSets().inNamespace(obj.getMetadata().getNamespace());
        try {
            resource.resource(new StatefulSetBuilder(obj).withStatus(status).build()).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            StatefulSet fresh = resource.withName(obj.getMetadata().getName()).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getGeneration(), obj.getMetadata().getGeneration())) {
                return; // gone or changed: the informer brings it back to us
            }
            if (!Objects.equals(fresh.getStatus(), status)) {
                resource.resource(new StatefulSetBuilder(fresh).withStatus(status).build()).updateStatus();
            }
        }
    }
}
