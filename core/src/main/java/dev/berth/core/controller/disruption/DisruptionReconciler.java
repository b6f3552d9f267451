package dev.berth.core.controller.disruption;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Recomputes one budget's status from the pods it selects and the scale of their controllers.
 * Evictions the API granted (listed in {@code status.disruptedPods}) keep counting as gone until
 * the pod is seen deleting, or for {@link #DELETION_TIMEOUT} at most.
 */
final class DisruptionReconciler implements Reconciler<String> {
    /** How long an eviction the API granted is waited for, as Kubernetes' DeletionTimeout. */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);
    static final String CONDITION = "DisruptionAllowed";

    private final ControllerContext context;
    private final Informers informers;

    DisruptionReconciler(ControllerContext context) {
        this.context = context;
        this.informers = context.informers();
    }

    @Override
    public Result reconcile(String key) {
        PodDisruptionBudget pdb = informers.get(PodDisruptionBudget.class, key);
        if (pdb == null || pdb.getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        String ns = pdb.getMetadata().getNamespace();
        Instant now = context.clock().instant();
        List<Pod> pods = selectedPods(pdb);
        if (pods.isEmpty()) {
            context.events().normal(pdb, "NoPods", "No matching pods found");
        }
        PodDisruptionBudgetStatus old = pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
        BudgetStatus computed;
        try {
            computed = compute(pdb, pods, now);
        } catch (IllegalArgumentException e) {
            context.events().warning(pdb, "CalculateExpectedPodCountFailed",
                    "Failed to calculate the number of expected pods: %s", e.getMessage());
            writeStatus(pdb, failedStatus(pdb, old, e.getMessage(), now));
            return Result.done();
        }
        PodDisruptionBudgetStatus status = statusOf(pdb, old, computed, now);
        writeStatus(pdb, status);
        // look again when the oldest granted eviction that has not happened expires
        return computed.disruptedPods().values().stream().min(Instant::compareTo)
                .map(t -> Result.requeueAfter(positive(Duration.between(now, t.plus(DELETION_TIMEOUT)))))
                .orElse(Result.done());
    }

    private static Duration positive(Duration d) {
        return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }

    List<Pod> selectedPods(PodDisruptionBudget pdb) {
        if (pdb.getSpec() == null || pdb.getSpec().getSelector() == null) {
            return List.of();
        }
        LabelSelector selector = LabelSelector.from(pdb.getSpec().getSelector());
        List<Pod> out = new ArrayList<>();
        for (Pod p : informers.inNamespace(Pod.class, pdb.getMetadata().getNamespace())) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (selector.matches(labels)) {
                out.add(p);
            }
        }
        return out;
    }

    BudgetStatus compute(PodDisruptionBudget pdb, List<Pod> pods, Instant now) {
        var spec = pdb.getSpec();
        int expected;
        int desired;
        if (spec.getMaxUnavailable() != null) {
            expected = expectedScale(pdb, pods);
            int maxUnavailable = BudgetStatus.scaled(spec.getMaxUnavailable(), expected);
            desired = Math.max(0, expected - maxUnavailable);
        } else if (spec.getMinAvailable() != null && !BudgetStatus.isPercent(spec.getMinAvailable())) {
            desired = spec.getMinAvailable().getIntVal();
            expected = pods.size();
        } else if (spec.getMinAvailable() != null) {
            expected = expectedScale(pdb, pods);
            desired = BudgetStatus.scaled(spec.getMinAvailable(), expected);
        } else {
            expected = pods.size();
            desired = 0;
        }
        Map<String, Instant> disrupted = stillDisrupted(pdb, pods, now);
        int healthy = 0;
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() == null && isReady(p)
                    && !disrupted.containsKey(p.getMetadata().getName())) {
                healthy++;
            }
        }
        return new BudgetStatus(expected, desired, healthy, disrupted);
    }

    /** Granted evictions whose pod has not started going yet, and which have not expired. */
    private static Map<String, Instant> stillDisrupted(PodDisruptionBudget pdb, List<Pod> pods, Instant now) {
        Map<String, String> recorded = pdb.getStatus() == null || pdb.getStatus().getDisruptedPods() == null
                ? Map.of() : pdb.getStatus().getDisruptedPods();
        if (recorded.isEmpty()) {
            return Map.of();
        }
        Map<String, Pod> byName = new HashMap<>();
        pods.forEach(p -> byName.put(p.getMetadata().getName(), p));
        Map<String, Instant> out = new TreeMap<>();
        recorded.forEach((name, at) -> {
            Pod p = byName.get(name);
            if (p == null || p.getMetadata().getDeletionTimestamp() != null) {
                return; // the eviction happened
            }
            Instant t;
            try {
                t = Instant.parse(at);
            } catch (RuntimeException e) {
                return;
            }
            if (t.plus(DELETION_TIMEOUT).isAfter(now)) {
                out.put(name, t);
            }
        });
        return out;
    }

    /** The sum of the scales of the pods' controllers, each counted once. */
    private int expectedScale(PodDisruptionBudget pdb, List<Pod> pods) {
        String ns = pdb.getMetadata().getNamespace();
        Map<String, Integer> scales = new LinkedHashMap<>();
        for (Pod p : pods) {
            OwnerReference owner = controllerOf(p.getMetadata().getOwnerReferences());
            if (owner == null) {
                throw new IllegalArgumentException("found no controller for pod \"" + p.getMetadata().getName() + "\"");
            }
            String id = owner.getKind() + "/" + owner.getName();
            if (scales.containsKey(id)) {
                continue;
            }
            scales.put(id, scaleOf(ns, owner, p));
        }
        return scales.values().stream().mapToInt(Integer::intValue).sum();
    }

    private int scaleOf(String ns, OwnerReference owner, Pod p) {
        switch (owner.getKind()) {
            case "ReplicaSet" -> {
                ReplicaSet rs = informers.get(ReplicaSet.class, Keys.of(ns, owner.getName()));
                if (rs == null || !Objects.equals(rs.getMetadata().getUid(), owner.getUid())) {
                    break;
                }
                OwnerReference deploymentRef = controllerOf(rs.getMetadata().getOwnerReferences());
                if (deploymentRef != null && "Deployment".equals(deploymentRef.getKind())) {
                    Deployment d = informers.get(Deployment.class, Keys.of(ns, deploymentRef.getName()));
                    if (d != null && Objects.equals(d.getMetadata().getUid(), deploymentRef.getUid())) {
                        return replicas(d.getSpec().getReplicas());
                    }
                }
                return replicas(rs.getSpec().getReplicas());
            }
            case "ReplicationController" -> {
                ReplicationController rc = informers.get(ReplicationController.class, Keys.of(ns, owner.getName()));
                if (rc != null && Objects.equals(rc.getMetadata().getUid(), owner.getUid())) {
                    return replicas(rc.getSpec().getReplicas());
                }
            }
            case "StatefulSet" -> {
                StatefulSet ss = informers.get(StatefulSet.class, Keys.of(ns, owner.getName()));
                if (ss != null && Objects.equals(ss.getMetadata().getUid(), owner.getUid())) {
                    return replicas(ss.getSpec().getReplicas());
                }
            }
            default -> {
            }
        }
        throw new IllegalArgumentException("found no scale of " + owner.getKind() + " \"" + owner.getName()
                + "\", the controller of pod \"" + p.getMetadata().getName() + "\"");
    }

    private static int replicas(Integer r) {
        return r == null ? 1 : r;
    }

    private static OwnerReference controllerOf(List<OwnerReference> refs) {
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    static boolean isReady(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        return p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private PodDisruptionBudgetStatus statusOf(PodDisruptionBudget pdb, PodDisruptionBudgetStatus old,
                                             BudgetStatus s, Instant now) {
        boolean allowed = s.disruptionsAllowed() > 0;
        Map<String, String> disrupted = new TreeMap<>();
        s.disruptedPods().forEach((k, v) -> disrupted.put(k, timestamp(v)));
        return new PodDisruptionBudgetStatusBuilder()
                .withObservedGeneration(pdb.getMetadata().getGeneration())
                .withExpectedPods(s.expectedPods())
                .withDesiredHealthy(s.desiredHealthy())
                .withCurrentHealthy(s.currentHealthy())
                .withDisruptionsAllowed(s.disruptionsAllowed())
                .withDisruptedPods(disrupted.isEmpty() ? null : disrupted)
                .withConditions(condition(old, allowed ? "True" : "False",
                        allowed ? "SufficientPods" : "InsufficientPods", "", pdb, now))
                .build();
    }

    private PodDisruptionBudgetStatus failedStatus(PodDisruptionBudget pdb, PodDisruptionBudgetStatus old,
                                                   String message, Instant now) {
        return new PodDisruptionBudgetStatusBuilder(old)
                .withObservedGeneration(pdb.getMetadata().getGeneration())
                .withDisruptionsAllowed(0)
                .withConditions(condition(old, "False", "SyncFailed", message, pdb, now))
                .build();
    }

    /** The DisruptionAllowed condition; its transition time moves only when its status does. */
    private static Condition condition(PodDisruptionBudgetStatus old, String status, String reason, String message,
                                       PodDisruptionBudget pdb, Instant now) {
        Condition previous = old.getConditions() == null ? null : old.getConditions().stream()
                .filter(c -> CONDITION.equals(c.getType())).findFirst().orElse(null);
        String since = previous != null && status.equals(previous.getStatus())
                ? previous.getLastTransitionTime() : timestamp(now);
        return new ConditionBuilder()
                .withType(CONDITION)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(pdb.getMetadata().getGeneration())
                .withLastTransitionTime(since)
                .build();
    }

    private void writeStatus(PodDisruptionBudget pdb, PodDisruptionBudgetStatus status) {
        if (status.equals(pdb.getStatus())) {
            return;
        }
        PodDisruptionBudget updated = new PodDisruptionBudgetBuilder(pdb).withStatus(status).build();
        try {
            context.client().resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw e; // 409: the queue retries with the newer object
        }
    }

    private static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
}
