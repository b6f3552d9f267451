package dev.berth.core.controller.daemonset;

import dev.berth.core.controller.history.ControllerRevisions;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps one pod of a DaemonSet on every eligible node, as Kubernetes' DaemonSet controller does:
 * daemon pods are pinned to their node through required node affinity on {@code metadata.name}
 * (the scheduler binds them), pods on nodes no longer eligible are deleted, failed pods are
 * replaced, RollingUpdate honours maxUnavailable and maxSurge, OnDelete waits for pods to be
 * deleted. The template history is kept as ControllerRevisions; pods wear the revision's hash in
 * {@code controller-revision-hash}.
 */
public final class DaemonSetReconciler implements Reconciler<String> {
    /** The pod label holding the revision hash (Kubernetes' {@code DefaultDaemonSetUniqueLabelKey}). */
    public static final String HASH_LABEL = "controller-revision-hash";
    /** Pod index by the uid of its controller. */
    public static final String CONTROLLER_UID_INDEX = "controllerUID";

    private final KubernetesClient client;
    private final Informers informers;
    private final Clock clock;
    private final EventRecorder events;
    private final Expectations expectations;

    public DaemonSetReconciler(KubernetesClient client, Informers informers, Clock clock, EventRecorder events) {
        this(client, informers, clock, events, new Expectations(clock));
    }

    DaemonSetReconciler(KubernetesClient client, Informers informers, Clock clock, EventRecorder events,
                        Expectations expectations) {
        this.client = client;
        this.informers = informers;
        this.clock = clock;
        this.events = events;
        this.expectations = expectations;
    }

    Expectations expectations() {
        return expectations;
    }

    @Override
    public Result reconcile(String key) {
        if (!informers.hasSynced()) {
            return Result.requeueAfter(Duration.ofSeconds(1)); // never act on a partial cache
        }
        DaemonSet ds = informers.get(DaemonSet.class, key);
        if (ds == null) {
            expectations.forget(key);
            return Result.done();
        }
        if (ds.getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        String ns = ds.getMetadata().getNamespace();
        PodTemplateSpec template = ds.getSpec().getTemplate();
        List<ControllerRevision> history = ControllerRevisions.ownedBy(
                informers.inNamespace(ControllerRevision.class, ns), ds);
        Integer collisions = ds.getStatus() == null ? null : ds.getStatus().getCollisionCount();
        ControllerRevisions.Current current = ControllerRevisions.ensure(client, ds,
                template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels(), HASH_LABEL,
                ControllerRevisions.templatePatch(template), history, collisions);
        String hash = current.hash();

        List<Node> nodes = informers.list(Node.class).stream()
                .sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList();
        Map<String, NodeEligibility.Verdict> verdicts = new LinkedHashMap<>();
        for (Node node : nodes) {
            verdicts.put(node.getMetadata().getName(), NodeEligibility.evaluate(node, template.getSpec()));
        }
        Map<String, List<Pod>> nodeToPods = nodeToPods(ownedPods(ds));
        Instant now = clock.instant();
        int minReady = ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();

        boolean wrote = false;
        if (expectations.satisfied(key)) {
            List<String> create = new ArrayList<>();
            List<Pod> delete = new ArrayList<>();
            manage(ds, hash, verdicts, nodeToPods, create, delete);
            if (create.isEmpty() && delete.isEmpty() && isRollingUpdate(ds)) {
                rollingUpdate(ds, hash, verdicts, nodeToPods, now, minReady, create, delete);
            }
            if (!create.isEmpty() || !delete.isEmpty()) {
                syncNodes(key, ds, template, hash, create, delete);
                wrote = true;
            }
        }
        if (!wrote) {
            Set<String> live = new HashSet<>();
            live.add(current.revision().getMetadata().getName());
            nodeToPods.values().forEach(ps -> ps.forEach(p -> live.add(ds.getMetadata().getName() + "-" + label(p, HASH_LABEL))));
            int limit = ds.getSpec().getRevisionHistoryLimit() == null ? 10 : ds.getSpec().getRevisionHistoryLimit();
            ControllerRevisions.truncate(client, ControllerRevisions.ownedBy(
                    informers.inNamespace(ControllerRevision.class, ns), ds), live, limit);
        }
        return updateStatus(ds, hash, current.collisionCount(), verdicts, nodeToPods, now, minReady);
    }

    private List<Pod> ownedPods(DaemonSet ds) {
        return informers.of(Pod.class).getIndexer().byIndex(CONTROLLER_UID_INDEX, ds.getMetadata().getUid());
    }

    /** Groups pods by the node they are on or are pinned to; pods pinned nowhere go under "". */
    static Map<String, List<Pod>> nodeToPods(List<Pod> pods) {
        Map<String, List<Pod>> out = new TreeMap<>();
        for (Pod p : pods) {
            out.computeIfAbsent(targetNode(p), k -> new ArrayList<>()).add(p);
        }
        out.values().forEach(l -> l.sort(BY_AGE));
        return out;
    }

    static final Comparator<Pod> BY_AGE = Comparator
            .comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
            .thenComparing(p -> p.getMetadata().getName());

    /** The node a daemon pod runs on, or the one its required node affinity pins it to. */
    static String targetNode(Pod p) {
        if (p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()) {
            return p.getSpec().getNodeName();
        }
        Affinity a = p.getSpec().getAffinity();
        if (a != null && a.getNodeAffinity() != null
                && a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            for (NodeSelectorTerm t : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()) {
                if (t.getMatchFields() == null) {
                    continue;
                }
                for (NodeSelectorRequirement r : t.getMatchFields()) {
                    if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator())
                            && r.getValues() != null && r.getValues().size() == 1) {
                        return r.getValues().getFirst();
                    }
                }
            }
        }
        return "";
    }

    /** Kubernetes' {@code podsShouldBeOnNode} over every node, plus pods whose node is gone. */
    private void manage(DaemonSet ds, String hash, Map<String, NodeEligibility.Verdict> verdicts,
                        Map<String, List<Pod>> nodeToPods, List<String> create, List<Pod> delete) {
        boolean surge = isRollingUpdate(ds) && maxSurgeSetting(ds) != 0;
        for (Map.Entry<String, NodeEligibility.Verdict> e : verdicts.entrySet()) {
            String node = e.getKey();
            NodeEligibility.Verdict v = e.getValue();
            List<Pod> pods = nodeToPods.getOrDefault(node, List.of());
            if (v.shouldRun() && pods.isEmpty()) {
                create.add(node);
            } else if (v.shouldRun()) {
                List<Pod> running = new ArrayList<>();
                for (Pod p : pods) {
                    if (p.getMetadata().getDeletionTimestamp() != null) {
                        continue;
                    }
                    if ("Failed".equals(phase(p))) {
                        events.warning(ds, "FailedDaemonPod", "Found failed daemon pod %s/%s on node %s, will try to kill it",
                                p.getMetadata().getNamespace(), p.getMetadata().getName(), node);
                        delete.add(p);
                    } else {
                        running.add(p);
                    }
                }
                if (running.size() <= 1) {
                    continue;
                }
                if (!surge) {
                    delete.addAll(running.subList(1, running.size()));
                    continue;
                }
                Pod oldestNew = null;
                Pod oldestOld = null;
                for (Pod p : running) {
                    if (hash.equals(label(p, HASH_LABEL))) {
                        if (oldestNew == null) {
                            oldestNew = p;
                            continue;
                        }
                    } else if (oldestOld == null) {
                        oldestOld = p;
                        continue;
                    }
                    delete.add(p);
                }
                if (oldestNew != null && oldestOld != null && (!isReady(oldestOld)
                        || (isReady(oldestNew) && minReadySeconds(ds) == 0))) {
                    delete.add(oldestOld);
                }
            } else if (!v.shouldContinueRunning()) {
                pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(delete::add);
            }
        }
        for (Map.Entry<String, List<Pod>> e : nodeToPods.entrySet()) {
            if (!verdicts.containsKey(e.getKey())) {
                e.getValue().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(delete::add);
            }
        }
    }

    /** Kubernetes' {@code rollingUpdate}: old pods replaced within maxUnavailable, or surged within maxSurge. */
    private void rollingUpdate(DaemonSet ds, String hash, Map<String, NodeEligibility.Verdict> verdicts,
                               Map<String, List<Pod>> nodeToPods, Instant now, int minReady,
                               List<String> create, List<Pod> delete) {
        int desired = (int) verdicts.values().stream().filter(NodeEligibility.Verdict::shouldRun).count();
        int maxSurge = scaled(ds.getSpec().getUpdateStrategy().getRollingUpdate() == null ? null
                : ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge(), desired, "maxSurge");
        int maxUnavailable = scaled(ds.getSpec().getUpdateStrategy().getRollingUpdate() == null ? null
                : ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable(), desired, "maxUnavailable");
        if (maxSurge == 0 && maxUnavailable == 0) {
            maxUnavailable = 1;
        }
        if (maxSurge == 0) {
            int unavailable = 0;
            List<Pod> replaceNow = new ArrayList<>();
            List<Pod> candidates = new ArrayList<>();
            for (Map.Entry<String, List<Pod>> e : nodeToPods.entrySet()) {
                Pod[] split = split(e.getValue(), hash);
                if (split == null) {
                    unavailable++;
                    continue;
                }
                Pod newPod = split[0];
                Pod oldPod = split[1];
                if ((newPod == null) == (oldPod == null)) {
                    unavailable++;
                } else if (newPod != null) {
                    if (!isAvailable(newPod, minReady, now)) {
                        unavailable++;
                    }
                } else if (!isAvailable(oldPod, minReady, now)) {
                    replaceNow.add(oldPod);
                } else if (unavailable + candidates.size() < maxUnavailable) {
                    candidates.add(oldPod);
                }
            }
            int remaining = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
            delete.addAll(replaceNow);
            delete.addAll(candidates.subList(0, remaining));
            return;
        }
        int surged = 0;
        List<String> replaceNow = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, List<Pod>> e : nodeToPods.entrySet()) {
            String node = e.getKey();
            Pod[] split = split(e.getValue(), hash);
            if (split == null) {
                surged++;
                continue;
            }
            Pod newPod = split[0];
            Pod oldPod = split[1];
            if (oldPod == null) {
                continue;
            }
            if (newPod == null) {
                NodeEligibility.Verdict v = verdicts.get(node);
                if (!isAvailable(oldPod, minReady, now)) {
                    if (v == null || !v.shouldRun()) {
                        delete.add(oldPod);
                    } else {
                        replaceNow.add(node);
                    }
                } else if (surged + candidates.size() < maxSurge) {
                    candidates.add(node);
                }
            } else if (!isAvailable(newPod, minReady, now)) {
                surged++;
            } else {
                delete.add(oldPod);
            }
        }
        int remaining = Math.max(0, Math.min(maxSurge - surged, candidates.size()));
        create.addAll(replaceNow);
        create.addAll(candidates.subList(0, remaining));
    }

    /** [newest-template pod, old pod] on a node, or null when a node holds two of either. */
    private static Pod[] split(List<Pod> pods, String hash) {
        Pod newPod = null;
        Pod oldPod = null;
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (hash.equals(label(p, HASH_LABEL))) {
                if (newPod != null) {
                    return null;
                }
                newPod = p;
            } else {
                if (oldPod != null) {
                    return null;
                }
                oldPod = p;
            }
        }
        return new Pod[] {newPod, oldPod};
    }

    private void syncNodes(String key, DaemonSet ds, PodTemplateSpec template, String hash, List<String> create,
                           List<Pod> delete) {
        Set<String> deleteNames = new HashSet<>();
        delete.forEach(p -> deleteNames.add(p.getMetadata().getName()));
        expectations.expect(key, create.size(), deleteNames);
        String ns = ds.getMetadata().getNamespace();
        RuntimeException failure = null;
        for (String node : create) {
            try {
                Pod created = client.pods().inNamespace(ns).resource(newPod(ds, template, hash, node)).create();
                events.normal(ds, "SuccessfulCreate", "Created pod: %s", created.getMetadata().getName());
            } catch (KubernetesClientException e) {
                expectations.observedAdd(key);
                events.warning(ds, "FailedCreate", "Error creating: %s", e.getMessage());
                failure = failure == null ? e : failure;
            }
        }
        for (String name : deleteNames.stream().sorted().toList()) {
            try {
                client.pods().inNamespace(ns).withName(name).delete();
                events.normal(ds, "SuccessfulDelete", "Deleted pod: %s", name);
            } catch (KubernetesClientException e) {
                expectations.observedDelete(key, name);
                if (e.getCode() != 404) {
                    events.warning(ds, "FailedDelete", "Error deleting: %s", e.getMessage());
                    failure = failure == null ? e : failure;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A daemon pod for {@code node}: the template, the revision hash, daemon tolerations, node affinity on its name. */
    static Pod newPod(DaemonSet ds, PodTemplateSpec template, String hash, String node) {
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(HASH_LABEL, hash);
        PodSpec spec = new PodSpecBuilder(template.getSpec()).build();
        spec.setTolerations(NodeEligibility.withDaemonTolerations(spec.getTolerations(),
                Boolean.TRUE.equals(spec.getHostNetwork())));
        spec.setAffinity(pinnedTo(spec.getAffinity(), node));
        OwnerReference owner = ControllerRevisions.controllerRef(ds);
        return new PodBuilder()
                .withNewMetadata()
                .withGenerateName(ds.getMetadata().getName() + "-")
                .withNamespace(ds.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(owner)
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    /** Kubernetes' {@code ReplaceDaemonSetPodNodeNameNodeAffinity}: required node affinity becomes metadata.name In [node]. */
    static Affinity pinnedTo(Affinity affinity, String node) {
        NodeSelectorTerm term = new NodeSelectorTermBuilder().withMatchFields(new NodeSelectorRequirementBuilder()
                .withKey("metadata.name").withOperator("In").withValues(node).build()).build();
        AffinityBuilder b = affinity == null ? new AffinityBuilder() : new AffinityBuilder(affinity);
        return b.editOrNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(term)
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .build();
    }

    private Result updateStatus(DaemonSet ds, String hash, Integer collisionCount,
                                Map<String, NodeEligibility.Verdict> verdicts, Map<String, List<Pod>> nodeToPods,
                                Instant now, int minReady) {
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        Duration recheck = null;
        for (Map.Entry<String, NodeEligibility.Verdict> e : verdicts.entrySet()) {
            List<Pod> pods = nodeToPods.getOrDefault(e.getKey(), List.of());
            if (e.getValue().shouldRun()) {
                desired++;
                if (pods.isEmpty()) {
                    continue;
                }
                current++;
                Pod pod = pods.getFirst();
                if (isReady(pod)) {
                    ready++;
                    if (isAvailable(pod, minReady, now)) {
                        available++;
                    } else {
                        Duration left = Duration.between(now, readySince(pod).plusSeconds(minReady));
                        recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
                    }
                }
                if (hash.equals(label(pod, HASH_LABEL))) {
                    updated++;
                }
            } else if (!pods.isEmpty()) {
                misscheduled++;
            }
        }
        DaemonSetStatus old = ds.getStatus();
        DaemonSetStatus status = new DaemonSetStatusBuilder(old == null ? new DaemonSetStatus() : old)
                .withDesiredNumberScheduled(desired)
                .withCurrentNumberScheduled(current)
                .withNumberMisscheduled(misscheduled)
                .withNumberReady(ready)
                .withNumberAvailable(available)
                .withNumberUnavailable(desired - available)
                .withUpdatedNumberScheduled(updated)
                .withObservedGeneration(ds.getMetadata().getGeneration())
                .withCollisionCount(collisionCount)
                .build();
        if (!Objects.equals(old, status)) {
            writeStatus(ds, status);
        }
        if (recheck != null) {
            return Result.requeueAfter(recheck.isNegative() ? Duration.ZERO : recheck.plusMillis(100));
        }
        return Result.done();
    }

    private static boolean isRollingUpdate(DaemonSet ds) {
        return ds.getSpec().getUpdateStrategy() != null && "RollingUpdate".equals(ds.getSpec().getUpdateStrategy().getType());
    }

    private static int maxSurgeSetting(DaemonSet ds) {
        var ru = ds.getSpec().getUpdateStrategy().getRollingUpdate();
        if (ru == null || ru.getMaxSurge() == null) {
            return 0;
        }
        IntOrString v = ru.getMaxSurge();
        return v.getIntVal() != null ? v.getIntVal() : ("0%".equals(v.getStrVal()) ? 0 : 1);
    }

    private static int minReadySeconds(DaemonSet ds) {
        return ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();
    }

    /** An int or a percentage of {@code total}, rounded up, as {@code GetScaledValueFromIntOrPercent(.., true)}. */
    static int scaled(IntOrString v, int total, String field) {
        if (v == null) {
            return 0;
        }
        if (v.getIntVal() != null) {
            return v.getIntVal();
        }
        String s = v.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("spec.updateStrategy.rollingUpdate." + field + ": " + s
                    + " must be an integer or a percentage");
        }
        int pct = Integer.parseInt(s.substring(0, s.length() - 1));
        return (int) Math.ceil(pct * total / 100.0);
    }

    static String label(Pod p, String key) {
        return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(key);
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    static boolean isReady(Pod p) {
        return readyCondition(p) != null;
    }

    private static PodCondition readyCondition(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
    }

    private static Instant readySince(Pod p) {
        PodCondition c = readyCondition(p);
        return c == null || c.getLastTransitionTime() == null ? Instant.EPOCH : Instant.parse(c.getLastTransitionTime());
    }

    /** Ready for at least {@code minReadySeconds} (Kubernetes' {@code IsPodAvailable}). */
    static boolean isAvailable(Pod p, int minReadySeconds, Instant now) {
        if (!isReady(p)) {
            return false;
        }
        return minReadySeconds == 0 || !readySince(p).plusSeconds(minReadySeconds).isAfter(now);
    }

    static String key(DaemonSet ds) {
        return Keys.of(ds);
    }

    /**
     * Writes status; on a conflict (the cache is behind the server) it reads the object afresh and
     * tries once more, as Kubernetes' controllers do, unless the spec moved on meanwhile.
     */
    private void writeStatus(DaemonSet obj, DaemonSetStatus status) {
        var resource = client.apps().daemonSets().inNamespace(obj.getMetadata().getNamespace());
        try {
            resource.resource(new DaemonSetBuilder(obj).withStatus(status).build()).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            DaemonSet fresh = resource.withName(obj.getMetadata().getName()).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getGeneration(), obj.getMetadata().getGeneration())) {
                return; // gone or changed: the informer brings it back to us
            }
            if (!Objects.equals(fresh.getStatus(), status)) {
                resource.resource(new DaemonSetBuilder(fresh).withStatus(status).build()).updateStatus();
            }
        }
    }
}
