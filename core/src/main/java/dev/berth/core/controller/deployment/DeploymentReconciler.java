package dev.berth.core.controller.deployment;

import dev.berth.core.api.Json;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.replicaset.Pods;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Rolls a Deployment out through ReplicaSets as Kubernetes' deployment controller does: one new
 * ReplicaSet per pod template (named NAME-HASH, labelled with pod-template-hash), old ones scaled
 * down by the RollingUpdate fenceposts or all at once for Recreate, revisions and their
 * annotations, revisionHistoryLimit, pause, proportional scaling, the Progressing and Available
 * conditions with the progress deadline, and the status kubectl's rollout commands read.
 *
 * <p>Each sync works on a copy of the cached Deployment whose status it updates as it goes, and
 * writes the status only when it differs from what is stored.
 */
public final class DeploymentReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(DeploymentReconciler.class);
    public static final String SCALING_REPLICA_SET = "ScalingReplicaSet";
    public static final String SELECTING_ALL = "SelectingAll";

    private final ControllerContext context;

    public DeploymentReconciler(ControllerContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** The state of one sync: the working copy of the deployment and what to requeue. */
    private final class Sync {
        Deployment d;
        /** The deployment's ReplicaSets, replaced by what the API returned whenever this sync wrote one. */
        List<ReplicaSet> rsList = new ArrayList<>();
        Duration requeueAfter;

        Sync(Deployment d) {
            this.d = d;
        }

        Instant now() {
            return context.clock().instant();
        }
    }

    @Override
    public Result reconcile(String key) {
        Deployment cached = context.informers().get(Deployment.class, key);
        if (cached == null) {
            return Result.done();
        }
        Sync s = new Sync(new DeploymentBuilder(cached).build());
        Deployment d = s.d;
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        LabelSelector selector = d.getSpec().getSelector() == null ? LabelSelector.nothing()
                : LabelSelector.from(d.getSpec().getSelector());
        if (selector.isEmpty() || selector.selectsNothing()) {
            context.events().warning(d, SELECTING_ALL,
                    "This deployment is selecting all pods. A non-empty selector is required.");
            long generation = Rollouts.orZero(d.getMetadata().getGeneration());
            if (Rollouts.orZero(d.getStatus().getObservedGeneration()) < generation) {
                d.getStatus().setObservedGeneration(generation);
                writeStatus(s);
            }
            return Result.done();
        }
        s.rsList = new ArrayList<>(claimReplicaSets(d, selector));

        if (d.getMetadata().getDeletionTimestamp() != null) {
            Rs all = allReplicaSets(s, false);
            syncDeploymentStatus(s, all);
            return Result.done();
        }
        checkPausedConditions(s);
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            sync(s);
            return Result.done();
        }
        if (isScalingEvent(s)) {
            sync(s);
            return Result.done();
        }
        if (Rollouts.isRollingUpdate(d)) {
            rolloutRolling(s);
        } else {
            rolloutRecreate(s);
        }
        return s.requeueAfter == null ? Result.done() : Result.requeueAfter(s.requeueAfter);
    }

    // ---- claiming ReplicaSets -------------------------------------------------------------------

    private OwnerReference controllerRef(Deployment d) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private List<ReplicaSet> claimReplicaSets(Deployment d, LabelSelector selector) {
        String uid = d.getMetadata().getUid();
        boolean deleting = d.getMetadata().getDeletionTimestamp() != null;
        List<ReplicaSet> owned = new ArrayList<>();
        Boolean canAdopt = null;
        for (ReplicaSet rs : context.informers().inNamespace(ReplicaSet.class, d.getMetadata().getNamespace())) {
            OwnerReference ref = Pods.controllerOf(rs);
            boolean matches = selector.matches(Pods.labels(rs));
            if (ref != null) {
                if (!uid.equals(ref.getUid())) {
                    continue;
                }
                if (matches) {
                    owned.add(rs);
                } else if (!deleting) {
                    patchOwner(rs, Map.of("$patch", "delete", "uid", uid));
                }
                continue;
            }
            if (!matches || deleting || rs.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (canAdopt == null) {
                Deployment fresh = context.client().apps().deployments().inNamespace(d.getMetadata().getNamespace())
                        .withName(d.getMetadata().getName()).get();
                canAdopt = fresh != null && uid.equals(fresh.getMetadata().getUid())
                        && fresh.getMetadata().getDeletionTimestamp() == null;
            }
            if (canAdopt) {
                OwnerReference r = controllerRef(d);
                Map<String, Object> ref2 = new LinkedHashMap<>();
                ref2.put("apiVersion", r.getApiVersion());
                ref2.put("kind", r.getKind());
                ref2.put("name", r.getName());
                ref2.put("uid", r.getUid());
                ref2.put("controller", true);
                ref2.put("blockOwnerDeletion", true);
                ReplicaSet adopted = patchOwner(rs, ref2);
                if (adopted != null) {
                    owned.add(adopted);
                }
            }
        }
        return owned;
    }

    private ReplicaSet patchOwner(ReplicaSet rs, Map<String, Object> ownerRefPatch) {
        try {
            String patch = Json.MAPPER.writeValueAsString(Map.of("metadata", Map.of(
                    "ownerReferences", List.of(ownerRefPatch), "uid", rs.getMetadata().getUid())));
            return context.client().apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                    .withName(rs.getMetadata().getName()).patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 422 || e.getCode() == 409) {
                return null;
            }
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- new and old ReplicaSets ------------------------------------------------------------------

    /** The new ReplicaSet (null when none exists and none was created) and the old ones. */
    private record Rs(ReplicaSet newRs, List<ReplicaSet> old) {
        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(old);
            if (newRs != null) {
                all.add(newRs);
            }
            return all;
        }
    }

    /** Kubernetes' {@code FindNewReplicaSet}: the oldest ReplicaSet whose template is the deployment's. */
    static ReplicaSet findNew(Deployment d, List<ReplicaSet> rsList) {
        return rsList.stream().sorted(Rollouts.BY_CREATION)
                .filter(rs -> Rollouts.equalIgnoreHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
                .findFirst().orElse(null);
    }

    private Rs allReplicaSets(Sync s, boolean create) {
        ReplicaSet existingNew = findNew(s.d, s.rsList);
        List<ReplicaSet> old = new ArrayList<>();
        for (ReplicaSet rs : s.rsList) {
            if (existingNew == null || !rs.getMetadata().getUid().equals(existingNew.getMetadata().getUid())) {
                old.add(rs);
            }
        }
        ReplicaSet newRs = newReplicaSet(s, existingNew, old, create);
        return new Rs(newRs, old);
    }

    private ReplicaSet newReplicaSet(Sync s, ReplicaSet existing, List<ReplicaSet> old, boolean create) {
        Deployment d = s.d;
        String newRevision = String.valueOf(Rollouts.maxRevision(old) + 1);
        if (existing != null) {
            ReplicaSet copy = new ReplicaSetBuilder(existing).build();
            Map<String, String> annotations = new LinkedHashMap<>(
                    copy.getMetadata().getAnnotations() == null ? Map.of() : copy.getMetadata().getAnnotations());
            boolean annotationsUpdated = Rollouts.setNewReplicaSetAnnotations(d, annotations, newRevision, true);
            int minReady = Rollouts.orZero(d.getSpec().getMinReadySeconds());
            if (annotationsUpdated || Rollouts.orZero(copy.getSpec().getMinReadySeconds()) != minReady) {
                copy.getMetadata().setAnnotations(annotations);
                copy.getSpec().setMinReadySeconds(minReady);
                return updateReplicaSet(s, copy);
            }
            boolean needsUpdate = setDeploymentRevision(s, annotations.get(Rollouts.REVISION));
            if (Rollouts.hasProgressDeadline(d) && Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING) == null) {
                Rollouts.setCondition(d.getStatus(), Rollouts.newCondition(Rollouts.PROGRESSING, "True",
                        Rollouts.FOUND_NEW_RS, "Found new replica set \"" + copy.getMetadata().getName() + "\"", s.now()));
                needsUpdate = true;
            }
            if (needsUpdate) {
                writeStatus(s);
            }
            return copy;
        }
        if (!create) {
            return null;
        }
        Integer collisionCount = d.getStatus().getCollisionCount();
        String hash = Rollouts.hash(d.getSpec().getTemplate(), collisionCount);
        PodTemplateSpec template = new PodTemplateSpecBuilder(d.getSpec().getTemplate()).editOrNewMetadata()
                .addToLabels(Rollouts.POD_TEMPLATE_HASH, hash).endMetadata().build();
        String name = d.getMetadata().getName() + "-" + hash;
        ReplicaSet newRs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(d.getMetadata().getNamespace())
                .withLabels(new LinkedHashMap<>(template.getMetadata().getLabels()))
                .withOwnerReferences(controllerRef(d))
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withMinReadySeconds(Rollouts.orZero(d.getSpec().getMinReadySeconds()))
                .withSelector(new LabelSelectorBuilder(d.getSpec().getSelector())
                        .addToMatchLabels(Rollouts.POD_TEMPLATE_HASH, hash).build())
                .withTemplate(template)
                .endSpec()
                .build();
        List<ReplicaSet> all = new ArrayList<>(old);
        all.add(newRs);
        int newReplicas = Rollouts.newRsNewReplicas(d, all, newRs);
        newRs.getSpec().setReplicas(newReplicas);
        Map<String, String> annotations = new LinkedHashMap<>();
        Rollouts.setNewReplicaSetAnnotations(d, annotations, newRevision, false);
        newRs.getMetadata().setAnnotations(annotations);

        ReplicaSet created;
        boolean alreadyExists = false;
        try {
            created = context.client().apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                    .resource(newRs).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                ReplicaSet rs = context.client().apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                        .withName(name).get();
                OwnerReference ref = rs == null ? null : Pods.controllerOf(rs);
                if (ref != null && d.getMetadata().getUid().equals(ref.getUid())
                        && Rollouts.equalIgnoreHash(d.getSpec().getTemplate(), rs.getSpec().getTemplate())) {
                    created = rs;
                    alreadyExists = true;
                } else {
                    // a hash collision: another template has this name; try the next hash
                    d.getStatus().setCollisionCount(collisionCount == null ? 1 : collisionCount + 1);
                    writeStatus(s);
                    throw new IllegalStateException("replica set " + name + " exists with another template; "
                            + "status.collisionCount raised to " + d.getStatus().getCollisionCount());
                }
            } else {
                String msg = "Failed to create new replica set \"" + name + "\": " + message(e);
                if (Rollouts.hasProgressDeadline(d)) {
                    Rollouts.setCondition(d.getStatus(), Rollouts.newCondition(Rollouts.PROGRESSING, "False",
                            Rollouts.FAILED_RS_CREATE, msg, s.now()));
                    writeStatus(s);
                }
                context.events().warning(d, Rollouts.FAILED_RS_CREATE, "%s", msg);
                throw e;
            }
        }
        String createdUid = created.getMetadata().getUid();
        s.rsList.removeIf(r -> r.getMetadata().getUid().equals(createdUid));
        s.rsList.add(created);
        if (!alreadyExists && newReplicas > 0) {
            context.events().normal(d, SCALING_REPLICA_SET, "Scaled up replica set %s from 0 to %d",
                    created.getMetadata().getName(), newReplicas);
        }
        boolean needsUpdate = setDeploymentRevision(s, newRevision);
        if (!alreadyExists && Rollouts.hasProgressDeadline(d)) {
            Rollouts.setCondition(d.getStatus(), Rollouts.newCondition(Rollouts.PROGRESSING, "True",
                    Rollouts.NEW_RS_CREATED, "Created new replica set \"" + created.getMetadata().getName() + "\"", s.now()));
            needsUpdate = true;
        }
        if (needsUpdate) {
            writeStatus(s);
        }
        return created;
    }

    /** Records the revision on the deployment itself (an annotation, written at once). */
    private boolean setDeploymentRevision(Sync s, String revision) {
        if (revision == null) {
            return false;
        }
        Map<String, String> annotations = s.d.getMetadata().getAnnotations();
        if (annotations != null && revision.equals(annotations.get(Rollouts.REVISION))) {
            return false;
        }
        try {
            String patch = Json.MAPPER.writeValueAsString(Map.of("metadata", Map.of(
                    "annotations", Map.of(Rollouts.REVISION, revision))));
            Deployment patched = context.client().apps().deployments().inNamespace(s.d.getMetadata().getNamespace())
                    .withName(s.d.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            s.d.getMetadata().setAnnotations(patched.getMetadata().getAnnotations());
            s.d.getMetadata().setResourceVersion(patched.getMetadata().getResourceVersion());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return false; // already written
    }

    private ReplicaSet updateReplicaSet(Sync s, ReplicaSet rs) {
        ReplicaSet updated = context.client().apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                .resource(rs).update();
        s.rsList.replaceAll(r -> r.getMetadata().getUid().equals(updated.getMetadata().getUid()) ? updated : r);
        return updated;
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    // ---- scaling ----------------------------------------------------------------------------------

    private boolean isScalingEvent(Sync s) {
        Rs rs = allReplicaSets(s, false);
        for (ReplicaSet r : active(rs.all())) {
            Integer desired = Rollouts.intAnnotation(r, Rollouts.DESIRED_REPLICAS);
            if (desired != null && desired != Rollouts.replicas(s.d)) {
                return true;
            }
        }
        return false;
    }

    private static List<ReplicaSet> active(List<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).filter(r -> Rollouts.replicas(r) > 0).toList();
    }

    /** Scaling and pausing: resize without rolling out (Kubernetes' {@code sync}). */
    private void sync(Sync s) {
        Rs rs = allReplicaSets(s, false);
        rs = scale(s, rs);
        if (Boolean.TRUE.equals(s.d.getSpec().getPaused())) {
            cleanup(s, rs.old());
        }
        syncDeploymentStatus(s, rs);
    }

    /** Returns the ReplicaSets as they are after scaling. */
    private Rs scale(Sync s, Rs rs) {
        Deployment d = s.d;
        ReplicaSet activeOrLatest = activeOrLatest(rs);
        if (activeOrLatest != null) {
            if (Rollouts.replicas(activeOrLatest) != Rollouts.replicas(d)) {
                ReplicaSet scaled = scaleAndRecord(s, activeOrLatest, Rollouts.replicas(d));
                return replaced(rs, activeOrLatest, scaled);
            }
            return rs;
        }
        if (isSaturated(d, rs.newRs())) {
            Rs result = rs;
            for (ReplicaSet old : active(rs.old())) {
                result = replaced(result, old, scaleAndRecord(s, old, 0));
            }
            return result;
        }
        if (!Rollouts.isRollingUpdate(d)) {
            return rs;
        }
        // proportional scaling: share the change among the active ReplicaSets by their size
        List<ReplicaSet> all = new ArrayList<>(active(rs.all()));
        int allowed = Rollouts.replicas(d) + Rollouts.maxSurge(d);
        int toAdd = allowed - Rollouts.specReplicas(all);
        String operation = "";
        if (toAdd > 0) {
            all.sort(Rollouts.BY_SIZE_NEWER);
            operation = "up";
        } else if (toAdd < 0) {
            all.sort(Rollouts.BY_SIZE_OLDER);
            operation = "down";
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int added = 0;
        for (ReplicaSet r : all) {
            if (toAdd != 0) {
                int proportion = proportion(d, r, toAdd, added);
                sizes.put(r.getMetadata().getName(), Rollouts.replicas(r) + proportion);
                added += proportion;
            } else {
                sizes.put(r.getMetadata().getName(), Rollouts.replicas(r));
            }
        }
        Rs result = rs;
        for (int i = 0; i < all.size(); i++) {
            ReplicaSet r = all.get(i);
            if (i == 0 && toAdd != 0) {
                int leftover = toAdd - added;
                sizes.merge(r.getMetadata().getName(), leftover, Integer::sum);
                if (sizes.get(r.getMetadata().getName()) < 0) {
                    sizes.put(r.getMetadata().getName(), 0);
                }
            }
            result = replaced(result, r, scaleReplicaSet(s, r, sizes.get(r.getMetadata().getName()), operation));
        }
        return result;
    }

    private static int proportion(Deployment d, ReplicaSet rs, int toAdd, int added) {
        if (rs == null || Rollouts.replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = fraction(d, rs);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    private static int fraction(Deployment d, ReplicaSet rs) {
        if (Rollouts.replicas(d) == 0) {
            return -Rollouts.replicas(rs);
        }
        int deploymentReplicas = Rollouts.replicas(d) + Rollouts.maxSurge(d);
        Integer annotated = Rollouts.intAnnotation(rs, Rollouts.MAX_REPLICAS);
        int base = annotated != null ? annotated : Rollouts.orZero(d.getStatus().getReplicas());
        if (base == 0) {
            return 0;
        }
        double newSize = (double) Rollouts.replicas(rs) * deploymentReplicas / base;
        return (int) Math.round(newSize) - Rollouts.replicas(rs);
    }

    private static boolean isSaturated(Deployment d, ReplicaSet newRs) {
        if (newRs == null) {
            return false;
        }
        Integer desired = Rollouts.intAnnotation(newRs, Rollouts.DESIRED_REPLICAS);
        return desired != null && desired == Rollouts.replicas(d) && Rollouts.replicas(newRs) == Rollouts.replicas(d)
                && Rollouts.available(newRs) == Rollouts.replicas(d);
    }

    private static ReplicaSet activeOrLatest(Rs rs) {
        if (rs.newRs() == null && rs.old().isEmpty()) {
            return null;
        }
        List<ReplicaSet> old = new ArrayList<>(rs.old());
        old.sort(Rollouts.BY_CREATION.reversed());
        List<ReplicaSet> all = active(rs.all());
        return switch (all.size()) {
            case 0 -> rs.newRs() != null ? rs.newRs() : old.getFirst();
            case 1 -> all.getFirst();
            default -> null;
        };
    }

    private static Rs replaced(Rs rs, ReplicaSet before, ReplicaSet after) {
        if (before == after) {
            return rs;
        }
        String uid = before.getMetadata().getUid();
        if (rs.newRs() != null && rs.newRs().getMetadata().getUid().equals(uid)) {
            return new Rs(after, rs.old());
        }
        List<ReplicaSet> old = new ArrayList<>(rs.old().size());
        for (ReplicaSet r : rs.old()) {
            old.add(r.getMetadata().getUid().equals(uid) ? after : r);
        }
        return new Rs(rs.newRs(), old);
    }

    private ReplicaSet scaleAndRecord(Sync s, ReplicaSet rs, int newScale) {
        if (Rollouts.replicas(rs) == newScale) {
            return rs;
        }
        return scaleReplicaSet(s, rs, newScale, Rollouts.replicas(rs) < newScale ? "up" : "down");
    }

    /** Sets the size and the replica annotations; records ScalingReplicaSet when the size changed. */
    private ReplicaSet scaleReplicaSet(Sync s, ReplicaSet rs, int newScale, String operation) {
        Deployment d = s.d;
        boolean sizeChanged = Rollouts.replicas(rs) != newScale;
        Map<String, String> annotations = new LinkedHashMap<>(
                rs.getMetadata().getAnnotations() == null ? Map.of() : rs.getMetadata().getAnnotations());
        boolean annotationsChanged = Rollouts.setReplicasAnnotations(annotations, Rollouts.replicas(d),
                Rollouts.replicas(d) + Rollouts.maxSurge(d));
        if (!sizeChanged && !annotationsChanged) {
            return rs;
        }
        ReplicaSet copy = new ReplicaSetBuilder(rs).editMetadata().withAnnotations(annotations).endMetadata()
                .editSpec().withReplicas(newScale).endSpec().build();
        ReplicaSet updated = updateReplicaSet(s, copy);
        if (sizeChanged) {
            context.events().normal(d, SCALING_REPLICA_SET, "Scaled %s replica set %s from %d to %d",
                    operation, rs.getMetadata().getName(), Rollouts.replicas(rs), newScale);
        }
        return updated;
    }

    // ---- rolling update ----------------------------------------------------------------------------

    private void rolloutRolling(Sync s) {
        Rs rs = allReplicaSets(s, true);
        // scale up the new ReplicaSet first
        ReplicaSet newRs = rs.newRs();
        if (newRs != null && Rollouts.replicas(newRs) != Rollouts.replicas(s.d)) {
            int target = Rollouts.replicas(newRs) > Rollouts.replicas(s.d) ? Rollouts.replicas(s.d)
                    : Rollouts.newRsNewReplicas(s.d, rs.all(), newRs);
            ReplicaSet scaled = scaleAndRecord(s, newRs, target);
            if (scaled != newRs) {
                syncRolloutStatus(s, replaced(rs, newRs, scaled));
                return;
            }
        }
        // then scale down old ones as far as availability allows
        Rs afterDown = reconcileOldReplicaSets(s, rs);
        if (afterDown != rs) {
            syncRolloutStatus(s, afterDown);
            return;
        }
        if (Rollouts.complete(s.d, calculateStatus(s, rs))) {
            cleanup(s, rs.old());
        }
        syncRolloutStatus(s, rs);
    }

    /** Returns {@code rs} itself when nothing was scaled down. */
    private Rs reconcileOldReplicaSets(Sync s, Rs rs) {
        Deployment d = s.d;
        List<ReplicaSet> old = rs.old();
        if (Rollouts.specReplicas(old) == 0) {
            return rs;
        }
        int allPods = Rollouts.specReplicas(rs.all());
        int minAvailable = Rollouts.replicas(d) - Rollouts.maxUnavailable(d);
        ReplicaSet newRs = rs.newRs();
        int newUnavailable = newRs == null ? 0 : Rollouts.replicas(newRs) - Rollouts.available(newRs);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return rs;
        }
        Rs result = rs;
        // first old replicas that are not available anyway
        List<ReplicaSet> sorted = new ArrayList<>(active(old));
        sorted.sort(Rollouts.BY_CREATION);
        int cleaned = 0;
        for (ReplicaSet r : sorted) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int unhealthy = Rollouts.replicas(r) - Rollouts.available(r);
            if (unhealthy <= 0) {
                continue;
            }
            int down = Math.min(maxScaledDown - cleaned, unhealthy);
            result = replaced(result, r, scaleAndRecord(s, r, Rollouts.replicas(r) - down));
            cleaned += down;
        }
        // then as many available ones as keep minAvailable
        int available = Rollouts.availableReplicas(result.all());
        if (available > minAvailable) {
            int total = available - minAvailable;
            int scaled = 0;
            List<ReplicaSet> remaining = new ArrayList<>(active(result.old()));
            remaining.sort(Rollouts.BY_CREATION);
            for (ReplicaSet r : remaining) {
                if (scaled >= total) {
                    break;
                }
                int down = Math.min(Rollouts.replicas(r), total - scaled);
                result = replaced(result, r, scaleAndRecord(s, r, Rollouts.replicas(r) - down));
                scaled += down;
            }
        }
        return result;
    }

    // ---- recreate ----------------------------------------------------------------------------------

    private void rolloutRecreate(Sync s) {
        Rs rs = allReplicaSets(s, false);
        List<ReplicaSet> activeOld = active(rs.old());
        if (!activeOld.isEmpty()) {
            Rs result = rs;
            for (ReplicaSet r : activeOld) {
                result = replaced(result, r, scaleAndRecord(s, r, 0));
            }
            syncRolloutStatus(s, result);
            return;
        }
        if (oldPodsRunning(rs)) {
            syncRolloutStatus(s, rs);
            return;
        }
        if (rs.newRs() == null) {
            rs = allReplicaSets(s, true);
        }
        ReplicaSet newRs = rs.newRs();
        ReplicaSet scaled = scaleAndRecord(s, newRs, Rollouts.replicas(s.d));
        rs = replaced(rs, newRs, scaled);
        if (Rollouts.complete(s.d, calculateStatus(s, rs))) {
            cleanup(s, rs.old());
        }
        syncRolloutStatus(s, rs);
    }

    /** Any pod of an old ReplicaSet that has not finished (Pending counts: it may start any moment). */
    private boolean oldPodsRunning(Rs rs) {
        if (Rollouts.statusReplicas(rs.old()) > 0) {
            return true;
        }
        Set<String> oldUids = new HashSet<>();
        rs.old().forEach(r -> oldUids.add(r.getMetadata().getUid()));
        if (oldUids.isEmpty()) {
            return false;
        }
        String ns = rs.old().getFirst().getMetadata().getNamespace();
        for (Pod pod : context.informers().inNamespace(Pod.class, ns)) {
            OwnerReference ref = Pods.controllerOf(pod);
            if (ref == null || !oldUids.contains(ref.getUid())) {
                continue;
            }
            String phase = Pods.phase(pod);
            if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                return true;
            }
        }
        return false;
    }

    // ---- history -----------------------------------------------------------------------------------

    /** Deletes the oldest empty old ReplicaSets beyond revisionHistoryLimit. */
    private void cleanup(Sync s, List<ReplicaSet> old) {
        Integer limit = s.d.getSpec().getRevisionHistoryLimit();
        if (limit == null) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>(old.stream()
                .filter(r -> r.getMetadata().getDeletionTimestamp() == null).toList());
        int diff = cleanable.size() - limit;
        if (diff <= 0) {
            return;
        }
        cleanable.sort(Rollouts.BY_REVISION);
        for (int i = 0; i < diff; i++) {
            ReplicaSet r = cleanable.get(i);
            int statusReplicas = r.getStatus() == null ? 0 : Rollouts.orZero(r.getStatus().getReplicas());
            long observed = r.getStatus() == null ? 0 : Rollouts.orZero(r.getStatus().getObservedGeneration());
            if (statusReplicas != 0 || Rollouts.replicas(r) != 0
                    || Rollouts.orZero(r.getMetadata().getGeneration()) > observed) {
                continue;
            }
            try {
                context.client().apps().replicaSets().inNamespace(r.getMetadata().getNamespace())
                        .withName(r.getMetadata().getName()).delete();
                log.debug("deployment {} deleted old replica set {}", Keys.of(s.d), r.getMetadata().getName());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    // ---- status ------------------------------------------------------------------------------------

    DeploymentStatus calculateStatus(Sync s, Rs rs) {
        Deployment d = s.d;
        List<ReplicaSet> all = rs.all();
        int available = Rollouts.availableReplicas(all);
        int total = Rollouts.specReplicas(all);
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(omitZero(Rollouts.statusReplicas(all)))
                .withUpdatedReplicas(omitZero(rs.newRs() == null ? 0 : Rollouts.statusReplicas(List.of(rs.newRs()))))
                .withReadyReplicas(omitZero(Rollouts.readyReplicas(all)))
                .withAvailableReplicas(omitZero(available))
                .withUnavailableReplicas(omitZero(Math.max(0, total - available)))
                .withCollisionCount(d.getStatus().getCollisionCount())
                .withConditions(new ArrayList<>(d.getStatus().getConditions() == null ? List.of()
                        : d.getStatus().getConditions().stream().map(c -> new io.fabric8.kubernetes.api.model.apps
                        .DeploymentConditionBuilder(c).build()).toList()))
                .build();
        if (available >= Rollouts.replicas(d) - Rollouts.maxUnavailable(d)) {
            Rollouts.setCondition(status, Rollouts.newCondition(Rollouts.AVAILABLE, "True", Rollouts.MIN_AVAILABLE,
                    "Deployment has minimum availability.", s.now()));
        } else {
            Rollouts.setCondition(status, Rollouts.newCondition(Rollouts.AVAILABLE, "False", Rollouts.MIN_UNAVAILABLE,
                    "Deployment does not have minimum availability.", s.now()));
        }
        return status;
    }

    /** Kubernetes leaves these counts out of the JSON when they are zero ({@code omitempty}). */
    private static Integer omitZero(int n) {
        return n == 0 ? null : n;
    }

    private void syncDeploymentStatus(Sync s, Rs rs) {
        DeploymentStatus status = calculateStatus(s, rs);
        if (!status.equals(s.d.getStatus())) {
            s.d.setStatus(status);
            writeStatus(s);
        }
    }

    /** Status with the Progressing condition, and a requeue for when the progress deadline passes. */
    private void syncRolloutStatus(Sync s, Rs rs) {
        Deployment d = s.d;
        Instant now = s.now();
        DeploymentStatus status = calculateStatus(s, rs);
        if (!Rollouts.hasProgressDeadline(d)) {
            Rollouts.removeCondition(status, Rollouts.PROGRESSING);
        }
        DeploymentCondition current = Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING);
        boolean completeAlready = Objects.equals(status.getReplicas(), status.getUpdatedReplicas())
                && current != null && Rollouts.NEW_RS_AVAILABLE.equals(current.getReason());
        ReplicaSet newRs = rs.newRs();
        if (Rollouts.hasProgressDeadline(d) && !completeAlready) {
            if (Rollouts.complete(d, status)) {
                String msg = newRs != null
                        ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\" has successfully progressed."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has successfully progressed.";
                Rollouts.setCondition(status, Rollouts.newCondition(Rollouts.PROGRESSING, "True",
                        Rollouts.NEW_RS_AVAILABLE, msg, now));
            } else if (Rollouts.progressing(d, status)) {
                String msg = newRs != null
                        ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\" is progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" is progressing.";
                DeploymentCondition c = Rollouts.newCondition(Rollouts.PROGRESSING, "True", Rollouts.RS_UPDATED, msg, now);
                if (current != null) {
                    if ("True".equals(current.getStatus())) {
                        c.setLastTransitionTime(current.getLastTransitionTime());
                    }
                    Rollouts.removeCondition(status, Rollouts.PROGRESSING);
                }
                Rollouts.setCondition(status, c);
            } else if (Rollouts.timedOut(d, d.getStatus(), now)) {
                String msg = newRs != null
                        ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\" has timed out progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has timed out progressing.";
                Rollouts.setCondition(status, Rollouts.newCondition(Rollouts.PROGRESSING, "False",
                        Rollouts.TIMED_OUT, msg, now));
            }
        }
        // the first failure of a ReplicaSet (say, a quota refusing pods) shows on the deployment
        io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition failure = rs.all().stream()
                .filter(r -> r.getStatus() != null && r.getStatus().getConditions() != null)
                .flatMap(r -> r.getStatus().getConditions().stream())
                .filter(c -> Rollouts.REPLICA_FAILURE.equals(c.getType())).findFirst().orElse(null);
        if (failure != null) {
            DeploymentCondition c = Rollouts.newCondition(Rollouts.REPLICA_FAILURE, failure.getStatus(),
                    failure.getReason(), failure.getMessage(), now);
            c.setLastTransitionTime(failure.getLastTransitionTime());
            c.setLastUpdateTime(failure.getLastTransitionTime());
            Rollouts.setCondition(status, c);
        } else {
            Rollouts.removeCondition(status, Rollouts.REPLICA_FAILURE);
        }
        if (status.equals(d.getStatus())) {
            s.requeueAfter = stuckRequeue(d, status, now);
            return;
        }
        d.setStatus(status);
        writeStatus(s);
        s.requeueAfter = stuckRequeue(d, status, now);
    }

    /** When to look again so that a stuck rollout is marked ProgressDeadlineExceeded in time. */
    private static Duration stuckRequeue(Deployment d, DeploymentStatus status, Instant now) {
        DeploymentCondition c = Rollouts.condition(status, Rollouts.PROGRESSING);
        if (!Rollouts.hasProgressDeadline(d) || c == null || Rollouts.complete(d, status)
                || Rollouts.TIMED_OUT.equals(c.getReason()) || Rollouts.NEW_RS_AVAILABLE.equals(c.getReason())) {
            return null;
        }
        Instant from = Pods.instant(c.getLastUpdateTime());
        if (from == null) {
            return null;
        }
        Duration after = Duration.between(now, from.plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
        // one second past the deadline: timedOut asks whether it is strictly before now
        after = after.plusSeconds(1);
        return after.isNegative() ? Duration.ZERO : after;
    }

    private void checkPausedConditions(Sync s) {
        Deployment d = s.d;
        if (!Rollouts.hasProgressDeadline(d)) {
            return;
        }
        DeploymentCondition c = Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING);
        if (c != null && Rollouts.TIMED_OUT.equals(c.getReason())) {
            return;
        }
        boolean pausedCondition = c != null && Rollouts.PAUSED.equals(c.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused && !pausedCondition) {
            Rollouts.setCondition(d.getStatus(), Rollouts.newCondition(Rollouts.PROGRESSING, "Unknown",
                    Rollouts.PAUSED, "Deployment is paused", s.now()));
        } else if (!paused && pausedCondition) {
            Rollouts.setCondition(d.getStatus(), Rollouts.newCondition(Rollouts.PROGRESSING, "Unknown",
                    Rollouts.RESUMED, "Deployment is resumed", s.now()));
        } else {
            return;
        }
        writeStatus(s);
    }

    /** Writes the working copy's status; on a conflict (the cache lagged) once more on a fresh read of the same generation. */
    private void writeStatus(Sync s) {
        var deployments = context.client().apps().deployments().inNamespace(s.d.getMetadata().getNamespace());
        Deployment written;
        try {
            written = deployments.resource(s.d).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            Deployment fresh = deployments.withName(s.d.getMetadata().getName()).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), s.d.getMetadata().getUid())
                    || !Objects.equals(fresh.getMetadata().getGeneration(), s.d.getMetadata().getGeneration())) {
                throw e;
            }
            fresh.setStatus(s.d.getStatus());
            written = deployments.resource(fresh).updateStatus();
        }
        s.d.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    }
}
