package dev.berth.core.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.controller.replicaset.Pods;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The pure parts of a rollout, after Kubernetes' {@code deployment/util}: fenceposts, hashes, revisions, conditions. */
public final class Rollouts {
    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    public static final String ROLLBACK_TO = "deprecated.deployment.rollback.to";
    /** Kubernetes keeps the revision-history annotation under this many characters. */
    public static final int MAX_REVISION_HISTORY_CHARS = 2000;

    public static final String PROGRESSING = "Progressing";
    public static final String AVAILABLE = "Available";
    public static final String REPLICA_FAILURE = "ReplicaFailure";
    // Progressing reasons, as Kubernetes writes them
    public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
    public static final String RS_UPDATED = "ReplicaSetUpdated";
    public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    public static final String TIMED_OUT = "ProgressDeadlineExceeded";
    public static final String PAUSED = "DeploymentPaused";
    public static final String RESUMED = "DeploymentResumed";
    public static final String FAILED_RS_CREATE = "ReplicaSetCreateError";
    // Available reasons
    public static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
    public static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

    private static final Set<String> SKIP_COPY = Set.of(LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
            MAX_REPLICAS, ROLLBACK_TO);
    private static final String SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

    private Rollouts() {
    }

    // ---- sizes ------------------------------------------------------------------------------------

    public static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    public static int replicas(ReplicaSet rs) {
        return rs == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
    }

    public static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                || "RollingUpdate".equals(d.getSpec().getStrategy().getType());
    }

    /**
     * {@code intstr.GetScaledValueFromIntOrPercent}: an int as it is, or a percentage of
     * {@code total} rounded up or down.
     */
    public static int scaledValue(IntOrString value, String field, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException(field + ": Invalid value: \"" + s
                    + "\": must be an integer or a percentage (e.g. '5%')");
        }
        int percent;
        try {
            percent = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": Invalid value: \"" + s
                    + "\": must be an integer or a percentage (e.g. '5%')");
        }
        long scaled = (long) percent * total;
        return (int) (roundUp ? Math.ceilDiv(scaled, 100) : Math.floorDiv(scaled, 100));
    }

    /** maxSurge (rounded up) and maxUnavailable (rounded down); both zero makes maxUnavailable 1. */
    public static int[] fenceposts(Deployment d) {
        var ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
        IntOrString surge = ru == null || ru.getMaxSurge() == null ? new IntOrString("25%") : ru.getMaxSurge();
        IntOrString unavailable = ru == null || ru.getMaxUnavailable() == null ? new IntOrString("25%") : ru.getMaxUnavailable();
        int desired = replicas(d);
        int s = scaledValue(surge, "spec.strategy.rollingUpdate.maxSurge", desired, true);
        int u = scaledValue(unavailable, "spec.strategy.rollingUpdate.maxUnavailable", desired, false);
        if (s == 0 && u == 0) {
            u = 1;
        }
        return new int[]{s, u};
    }

    public static int maxSurge(Deployment d) {
        return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
    }

    public static int maxUnavailable(Deployment d) {
        if (!isRollingUpdate(d) || replicas(d) == 0) {
            return 0;
        }
        return Math.min(fenceposts(d)[1], replicas(d));
    }

    public static int specReplicas(Collection<ReplicaSet> rss) {
        return rss.stream().filter(java.util.Objects::nonNull).mapToInt(Rollouts::replicas).sum();
    }

    public static int statusReplicas(Collection<ReplicaSet> rss) {
        return rss.stream().filter(java.util.Objects::nonNull)
                .mapToInt(rs -> rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas()).sum();
    }

    public static int readyReplicas(Collection<ReplicaSet> rss) {
        return rss.stream().filter(java.util.Objects::nonNull)
                .mapToInt(rs -> rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas()).sum();
    }

    public static int availableReplicas(Collection<ReplicaSet> rss) {
        return rss.stream().filter(java.util.Objects::nonNull).mapToInt(Rollouts::available).sum();
    }

    public static int available(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0 : rs.getStatus().getAvailableReplicas();
    }

    /** How many replicas the new ReplicaSet should have now (Kubernetes' {@code NewRSNewReplicas}). */
    public static int newRsNewReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        if (!isRollingUpdate(d)) {
            return replicas(d);
        }
        int maxTotal = replicas(d) + maxSurge(d);
        int current = specReplicas(all);
        if (current >= maxTotal) {
            return replicas(newRs);
        }
        int scaleUp = Math.min(maxTotal - current, replicas(d) - replicas(newRs));
        return replicas(newRs) + scaleUp;
    }

    /** Every replica of the deployment is updated and available, and the spec was observed. */
    public static boolean complete(Deployment d, DeploymentStatus s) {
        int want = replicas(d);
        return orZero(s.getUpdatedReplicas()) == want && orZero(s.getReplicas()) == want
                && orZero(s.getAvailableReplicas()) == want
                && orZero(s.getObservedGeneration()) >= orZero(d.getMetadata().getGeneration());
    }

    /** The new status shows progress over the deployment's current one. */
    public static boolean progressing(Deployment d, DeploymentStatus s) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int oldOld = orZero(old.getReplicas()) - orZero(old.getUpdatedReplicas());
        int newOld = orZero(s.getReplicas()) - orZero(s.getUpdatedReplicas());
        return orZero(s.getUpdatedReplicas()) > orZero(old.getUpdatedReplicas()) || newOld < oldOld
                || orZero(s.getReadyReplicas()) > orZero(old.getReadyReplicas())
                || orZero(s.getAvailableReplicas()) > orZero(old.getAvailableReplicas());
    }

    public static boolean hasProgressDeadline(Deployment d) {
        Integer p = d.getSpec().getProgressDeadlineSeconds();
        return p != null && p != Integer.MAX_VALUE;
    }

    /** The Progressing condition of {@code s} last moved longer than the deadline before {@code now}. */
    public static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
        if (!hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = condition(s, PROGRESSING);
        if (c == null || NEW_RS_AVAILABLE.equals(c.getReason())) {
            return false;
        }
        if (TIMED_OUT.equals(c.getReason())) {
            return true;
        }
        Instant from = Pods.instant(c.getLastUpdateTime());
        return from != null && from.plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(now);
    }

    static long orZero(Number n) {
        return n == null ? 0 : n.longValue();
    }

    static int orZero(Integer n) {
        return n == null ? 0 : n;
    }

    // ---- templates and hashes ---------------------------------------------------------------------

    /**
     * The pod-template-hash: FNV-1a (32 bit) over the template, written canonically (JSON with
     * sorted keys), and the collision count, encoded with Kubernetes' safe alphabet
     * ({@code rand.SafeEncodeString} of the decimal value) as Kubernetes does. Kubernetes hashes
     * a Go-specific dump of the struct, so the values differ from Kubernetes' own, but they
     * behave alike: stable for one template, different for another.
     */
    public static String hash(PodTemplateSpec template, Integer collisionCount) {
        int h = 0x811c9dc5;
        byte[] bytes = canonical(Json.MAPPER.valueToTree(template)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x01000193;
        }
        if (collisionCount != null) {
            int c = collisionCount;
            byte[] le = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
            for (byte b : le) {
                h ^= (b & 0xff);
                h *= 0x01000193;
            }
        }
        String decimal = Long.toString(Integer.toUnsignedLong(h));
        StringBuilder out = new StringBuilder(decimal.length());
        for (char ch : decimal.toCharArray()) {
            out.append(SAFE_ALPHANUMS.charAt(ch % SAFE_ALPHANUMS.length()));
        }
        return out.toString();
    }

    private static String canonical(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(sorted(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Keys sorted; nulls, empty objects and empty lists left out, as Go's zero values: kubectl
     * sends {@code resources: {}} where a copy made here has none, and both mean the same.
     */
    private static Object sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> m = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isNull()) {
                    continue;
                }
                Object v = sorted(e.getValue());
                if (v instanceof Map<?, ?> map && map.isEmpty() || v instanceof List<?> list && list.isEmpty()) {
                    continue;
                }
                m.put(e.getKey(), v);
            }
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>();
            node.forEach(n -> l.add(sorted(n)));
            return l;
        }
        return node;
    }

    /** Two templates are the same apart from the pod-template-hash label (Kubernetes' {@code EqualIgnoreHash}). */
    public static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        return withoutHash(a).equals(withoutHash(b));
    }

    private static JsonNode withoutHash(PodTemplateSpec t) {
        JsonNode tree = Json.MAPPER.valueToTree(t);
        if (tree instanceof ObjectNode o && o.get("metadata") instanceof ObjectNode meta) {
            if (meta.get("labels") instanceof ObjectNode labels) {
                labels.remove(POD_TEMPLATE_HASH);
                if (labels.isEmpty()) {
                    meta.remove("labels");
                }
            }
            if (meta.isEmpty()) {
                o.remove("metadata");
            }
        }
        return canonicalTree(tree);
    }

    private static JsonNode canonicalTree(JsonNode tree) {
        return Json.MAPPER.valueToTree(sorted(tree));
    }

    // ---- revisions and annotations ----------------------------------------------------------------

    public static long revision(ReplicaSet rs) {
        String v = annotation(rs.getMetadata().getAnnotations(), REVISION);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static long maxRevision(Collection<ReplicaSet> rss) {
        return rss.stream().mapToLong(Rollouts::revision).max().orElse(0);
    }

    static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }

    /** Copies the deployment's own annotations onto the ReplicaSet, except those about revisions and kubectl's. */
    public static boolean copyDeploymentAnnotations(Deployment d, Map<String, String> rsAnnotations) {
        boolean changed = false;
        if (d.getMetadata().getAnnotations() == null) {
            return false;
        }
        for (var e : d.getMetadata().getAnnotations().entrySet()) {
            if (SKIP_COPY.contains(e.getKey()) || e.getValue().equals(rsAnnotations.get(e.getKey()))) {
                continue;
            }
            rsAnnotations.put(e.getKey(), e.getValue());
            changed = true;
        }
        return changed;
    }

    /**
     * Kubernetes' {@code SetNewReplicaSetAnnotations}: copies the deployment's annotations, raises
     * the revision to {@code newRevision} (recording the one it replaces in revision-history, as
     * on a rollback), and on creation records desired-replicas and max-replicas.
     */
    public static boolean setNewReplicaSetAnnotations(Deployment d, Map<String, String> a, String newRevision,
                                                      boolean exists) {
        boolean changed = copyDeploymentAnnotations(d, a);
        String oldRevision = a.get(REVISION);
        long oldRev;
        try {
            oldRev = oldRevision == null || oldRevision.isEmpty() ? 0 : Long.parseLong(oldRevision);
        } catch (NumberFormatException e) {
            return false;
        }
        long newRev = Long.parseLong(newRevision);
        if (oldRev < newRev) {
            a.put(REVISION, newRevision);
            changed = true;
        }
        if (oldRevision != null && oldRev < newRev) {
            String history = a.getOrDefault(REVISION_HISTORY, "");
            if (history.isEmpty()) {
                a.put(REVISION_HISTORY, oldRevision);
            } else {
                List<String> old = new ArrayList<>(List.of(history.split(",")));
                int total = history.length() + oldRevision.length() + 1;
                while (total > MAX_REVISION_HISTORY_CHARS && !old.isEmpty()) {
                    total -= old.removeFirst().length() + 1;
                }
                old.add(oldRevision);
                a.put(REVISION_HISTORY, String.join(",", old));
            }
        }
        if (!exists && setReplicasAnnotations(a, replicas(d), replicas(d) + maxSurge(d))) {
            changed = true;
        }
        return changed;
    }

    public static boolean setReplicasAnnotations(Map<String, String> a, int desired, int max) {
        boolean changed = false;
        if (!String.valueOf(desired).equals(a.get(DESIRED_REPLICAS))) {
            a.put(DESIRED_REPLICAS, String.valueOf(desired));
            changed = true;
        }
        if (!String.valueOf(max).equals(a.get(MAX_REPLICAS))) {
            a.put(MAX_REPLICAS, String.valueOf(max));
            changed = true;
        }
        return changed;
    }

    public static Integer intAnnotation(ReplicaSet rs, String key) {
        String v = annotation(rs.getMetadata().getAnnotations(), key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- orderings -------------------------------------------------------------------------------

    static Instant created(ReplicaSet rs) {
        Instant t = Pods.instant(rs.getMetadata().getCreationTimestamp());
        return t == null ? Instant.EPOCH : t;
    }

    /** Oldest first, then by name. */
    public static final Comparator<ReplicaSet> BY_CREATION = Comparator.<ReplicaSet, Instant>comparing(Rollouts::created)
            .thenComparing(rs -> rs.getMetadata().getName());
    /** Lowest revision first, then oldest. */
    public static final Comparator<ReplicaSet> BY_REVISION = Comparator.<ReplicaSet>comparingLong(Rollouts::revision)
            .thenComparing(BY_CREATION);
    /** Largest first, then older first. */
    public static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator.<ReplicaSet>comparingInt(Rollouts::replicas).reversed()
            .thenComparing(BY_CREATION);
    /** Largest first, then newer first. */
    public static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator.<ReplicaSet>comparingInt(Rollouts::replicas).reversed()
            .thenComparing(BY_CREATION.reversed());

    // ---- conditions ------------------------------------------------------------------------------

    public static DeploymentCondition condition(DeploymentStatus s, String type) {
        if (s == null || s.getConditions() == null) {
            return null;
        }
        return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    public static DeploymentCondition newCondition(String type, String status, String reason, String message, Instant now) {
        String ts = timestamp(now);
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime(ts).withLastTransitionTime(ts).build();
    }

    /**
     * Kubernetes' {@code SetDeploymentCondition}: nothing changes when the status and reason are the
     * same; with the same status the transition time is kept.
     */
    public static void setCondition(DeploymentStatus s, DeploymentCondition c) {
        DeploymentCondition current = condition(s, c.getType());
        if (current != null && current.getStatus().equals(c.getStatus()) && java.util.Objects.equals(current.getReason(), c.getReason())) {
            return;
        }
        if (current != null && current.getStatus().equals(c.getStatus())) {
            c.setLastTransitionTime(current.getLastTransitionTime());
        }
        removeCondition(s, c.getType());
        List<DeploymentCondition> list = new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions());
        list.add(c);
        s.setConditions(list);
    }

    public static void removeCondition(DeploymentStatus s, String type) {
        if (s.getConditions() == null) {
            return;
        }
        List<DeploymentCondition> list = new ArrayList<>(s.getConditions());
        list.removeIf(c -> type.equals(c.getType()));
        s.setConditions(list);
    }

    public static String timestamp(Instant now) {
        return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    }
}
