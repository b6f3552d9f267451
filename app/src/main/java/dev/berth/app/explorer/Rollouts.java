package dev.berth.app.explorer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code kubectl rollout history}, {@code undo}, {@code pause} and {@code resume}, for Deployments
 * (whose revisions are their ReplicaSets) and StatefulSets and DaemonSets (whose revisions are
 * ControllerRevisions). API calls only; the explorer and the command palette share them.
 */
public final class Rollouts {
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** Annotations of a ReplicaSet that are the Deployment controller's own, not the Deployment's (as kubectl skips them on undo). */
    private static final List<String> CONTROLLER_ANNOTATIONS = List.of(REVISION, "deployment.kubernetes.io/revision-history",
            "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
            "kubectl.kubernetes.io/last-applied-configuration");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One revision: its number, what caused it, when it was made, the object holding it, and whether it runs now. */
    public record Revision(long number, String changeCause, Instant created, String source, String images, boolean current) {}

    private final KubernetesClient client;

    public Rollouts(KubernetesClient client) {
        this.client = client;
    }

    /** Whether a kind has a revision history here. */
    public static boolean hasHistory(String kind) {
        return kind.equals("Deployment") || kind.equals("StatefulSet") || kind.equals("DaemonSet");
    }

    /** The revisions, oldest first, as {@code kubectl rollout history} lists them. */
    public List<Revision> history(String kind, String namespace, String name) {
        return switch (kind) {
            case "Deployment" -> {
                Deployment d = deployment(namespace, name);
                List<ReplicaSet> sets = replicaSets(d);
                // the current revision is the ReplicaSet running the Deployment's template now (its own
                // revision annotation is written a moment later)
                long current = sets.stream().filter(rs -> sameTemplate(withoutHash(rs.getSpec().getTemplate()), d.getSpec().getTemplate()))
                        .map(Rollouts::revisionOf).flatMap(Optional::stream).findFirst().orElse(revisionOf(d).orElse(0L));
                List<Revision> out = new ArrayList<>();
                for (ReplicaSet rs : sets) {
                    Optional<Long> n = revisionOf(rs);
                    if (n.isEmpty()) continue;
                    out.add(new Revision(n.get(), annotation(rs, CHANGE_CAUSE), created(rs), "replicaset/" + rs.getMetadata().getName(),
                            images(rs.getSpec().getTemplate()), n.get() == current));
                }
                out.sort(Comparator.comparingLong(Revision::number));
                yield out;
            }
            case "StatefulSet", "DaemonSet" -> {
                HasMetadata owner = workload(kind, namespace, name);
                List<ControllerRevision> revisions = controllerRevisions(owner);
                long newest = revisions.stream().mapToLong(r -> r.getRevision() == null ? 0 : r.getRevision()).max().orElse(0);
                List<Revision> out = new ArrayList<>();
                for (ControllerRevision r : revisions) {
                    long n = r.getRevision() == null ? 0 : r.getRevision();
                    out.add(new Revision(n, annotation(r, CHANGE_CAUSE), created(r), "controllerrevision/" + r.getMetadata().getName(),
                            images(templateOf(r)), n == newest));
                }
                out.sort(Comparator.comparingLong(Revision::number));
                yield out;
            }
            default -> throw new IllegalArgumentException(kind + " " + name + " has no rollout history");
        };
    }

    /**
     * Rolls back to {@code toRevision}, or to the revision before the current one when it is 0, as
     * {@code kubectl rollout undo [--to-revision=N]} does. Returns what happened, in kubectl's words.
     */
    public String undo(String kind, String namespace, String name, long toRevision) {
        if (toRevision < 0) {
            throw new IllegalArgumentException("to-revision: Invalid value: " + toRevision + ": must be 0 (the previous revision) or more");
        }
        return switch (kind) {
            case "Deployment" -> undoDeployment(namespace, name, toRevision);
            case "StatefulSet", "DaemonSet" -> undoWithControllerRevisions(kind, namespace, name, toRevision);
            default -> throw new IllegalArgumentException(kind + " " + name + " has no rollout to undo");
        };
    }

    /** Pauses or resumes a Deployment's rollout. Returns kubectl's words for what happened. */
    public String pause(String namespace, String name, boolean paused) {
        Deployment d = deployment(namespace, name);
        boolean now = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (now == paused) {
            return "deployment.apps/" + name + " is already " + (paused ? "paused" : "resumed");
        }
        patch("Deployment", namespace, name, PatchType.STRATEGIC_MERGE,
                Map.of("spec", Map.of("paused", paused)));
        return "deployment.apps/" + name + (paused ? " paused" : " resumed");
    }

    private String undoDeployment(String namespace, String name, long toRevision) {
        Deployment d = deployment(namespace, name);
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            throw new IllegalStateException("you cannot rollback a paused deployment; resume it first with "
                    + "'kubectl rollout resume deployment/" + name + "' and try again");
        }
        Map<Long, ReplicaSet> byRevision = new LinkedHashMap<>();
        for (ReplicaSet rs : replicaSets(d)) {
            revisionOf(rs).ifPresent(n -> byRevision.put(n, rs));
        }
        ReplicaSet target;
        if (toRevision == 0) {
            if (byRevision.size() < 2) {
                throw new IllegalStateException("no rollout history found for deployment \"" + name + "\"");
            }
            long current = revisionOf(d).orElse(byRevision.keySet().stream().mapToLong(Long::longValue).max().orElse(0));
            long previous = byRevision.keySet().stream().mapToLong(Long::longValue).filter(n -> n < current).max()
                    .orElseThrow(() -> new IllegalStateException("no rollout history found for deployment \"" + name + "\""));
            target = byRevision.get(previous);
        } else {
            target = byRevision.get(toRevision);
            if (target == null) {
                throw new IllegalStateException("unable to find specified revision " + toRevision + " in history");
            }
        }
        PodTemplateSpec template = withoutHash(target.getSpec().getTemplate());
        long targetRevision = revisionOf(target).orElse(0L);
        if (sameTemplate(template, d.getSpec().getTemplate())) {
            return "deployment.apps/" + name + " skipped rollback (current template already matches revision " + targetRevision + ")";
        }
        // the Deployment's own annotations stay; the revision's change-cause comes back with it
        Map<String, Object> annotations = new LinkedHashMap<>();
        if (target.getMetadata().getAnnotations() != null) {
            target.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!CONTROLLER_ANNOTATIONS.contains(k)) annotations.put(k, v);
            });
        }
        Map<String, Object> templateMap = Serialization.unmarshal(Serialization.asJson(template), Map.class);
        List<Map<String, Object>> ops = new ArrayList<>();
        ops.add(Map.of("op", "replace", "path", "/spec/template", "value", templateMap));
        if (!annotations.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>();
            if (d.getMetadata().getAnnotations() != null) merged.putAll(d.getMetadata().getAnnotations());
            merged.putAll(annotations);
            ops.add(Map.of("op", d.getMetadata().getAnnotations() == null ? "add" : "replace", "path", "/metadata/annotations", "value", merged));
        }
        patch("Deployment", namespace, name, PatchType.JSON, ops);
        return "deployment.apps/" + name + " rolled back";
    }

    private String undoWithControllerRevisions(String kind, String namespace, String name, long toRevision) {
        HasMetadata owner = workload(kind, namespace, name);
        List<ControllerRevision> revisions = new ArrayList<>(controllerRevisions(owner));
        revisions.sort(Comparator.comparingLong(r -> r.getRevision() == null ? 0 : r.getRevision()));
        if (revisions.isEmpty()) {
            throw new IllegalStateException("no rollout history found for " + kind.toLowerCase(java.util.Locale.ROOT) + " \"" + name + "\"");
        }
        ControllerRevision target;
        if (toRevision == 0) {
            if (revisions.size() < 2) {
                throw new IllegalStateException("no last revision to roll back to");
            }
            target = revisions.get(revisions.size() - 2);
        } else {
            target = revisions.stream().filter(r -> Objects.equals(r.getRevision(), toRevision)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unable to find specified revision " + toRevision + " in history"));
        }
        PodTemplateSpec template = templateOf(target);
        PodTemplateSpec live = "StatefulSet".equals(kind)
                ? client.apps().statefulSets().inNamespace(namespace).withName(name).get().getSpec().getTemplate()
                : client.apps().daemonSets().inNamespace(namespace).withName(name).get().getSpec().getTemplate();
        String group = kind.toLowerCase(java.util.Locale.ROOT) + ".apps/" + name;
        if (template != null && sameTemplate(template, live)) {
            return group + " skipped rollback (current template already matches revision " + target.getRevision() + ")";
        }
        // a ControllerRevision's data is the strategic merge patch that restores its template
        patch(kind, namespace, name, PatchType.STRATEGIC_MERGE, target.getData());
        return group + " rolled back";
    }

    /** A ReplicaSet's template as its Deployment wrote it: without the controller's hash label. */
    private static PodTemplateSpec withoutHash(PodTemplateSpec t) {
        PodTemplateSpec template = Serialization.clone(t);
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            template.getMetadata().getLabels().remove(POD_TEMPLATE_HASH);
        }
        return template;
    }

    private static boolean sameTemplate(PodTemplateSpec a, PodTemplateSpec b) {
        Map<?, ?> x = Serialization.unmarshal(Serialization.asJson(a), Map.class);
        Map<?, ?> y = Serialization.unmarshal(Serialization.asJson(b), Map.class);
        return x.equals(y);
    }

    private void patch(String kind, String namespace, String name, PatchType type, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        PatchContext context = PatchContext.of(type);
        switch (kind) {
            case "Deployment" -> client.apps().deployments().inNamespace(namespace).withName(name).patch(context, json);
            case "StatefulSet" -> client.apps().statefulSets().inNamespace(namespace).withName(name).patch(context, json);
            case "DaemonSet" -> client.apps().daemonSets().inNamespace(namespace).withName(name).patch(context, json);
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private Deployment deployment(String namespace, String name) {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        if (d == null) {
            throw new IllegalStateException("deployments.apps \"" + name + "\" not found in namespace " + namespace);
        }
        return d;
    }

    private HasMetadata workload(String kind, String namespace, String name) {
        HasMetadata o = "StatefulSet".equals(kind)
                ? client.apps().statefulSets().inNamespace(namespace).withName(name).get()
                : client.apps().daemonSets().inNamespace(namespace).withName(name).get();
        if (o == null) {
            throw new IllegalStateException(kind.toLowerCase(java.util.Locale.ROOT) + "s.apps \"" + name + "\" not found in namespace " + namespace);
        }
        return o;
    }

    private List<ReplicaSet> replicaSets(Deployment d) {
        String uid = d.getMetadata().getUid();
        return client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
                .filter(rs -> controlledBy(rs, uid)).toList();
    }

    private List<ControllerRevision> controllerRevisions(HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        return client.apps().controllerRevisions().inNamespace(owner.getMetadata().getNamespace()).list().getItems().stream()
                .filter(r -> controlledBy(r, uid)).toList();
    }

    private static boolean controlledBy(HasMetadata o, String uid) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
    }

    private static Optional<Long> revisionOf(HasMetadata o) {
        String v = annotation(o, REVISION);
        if (v == null) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String annotation(HasMetadata o, String key) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static Instant created(HasMetadata o) {
        String t = o.getMetadata().getCreationTimestamp();
        return t == null ? null : Instant.parse(t);
    }

    @SuppressWarnings("unchecked")
    private static PodTemplateSpec templateOf(ControllerRevision r) {
        // the client may hold the data as a map or as a model object: read it through its JSON
        Object raw = r.getData() == null ? null : Serialization.unmarshal(Serialization.asJson(r.getData()), Map.class);
        if (!(raw instanceof Map<?, ?> data) || !(data.get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("template") instanceof Map<?, ?> template)) {
            return null;
        }
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) template);
        copy.remove("$patch");
        return Serialization.unmarshal(Serialization.asJson(copy), PodTemplateSpec.class);
    }

    private static String images(PodTemplateSpec t) {
        if (t == null || t.getSpec() == null || t.getSpec().getContainers() == null) return "";
        return String.join(", ", t.getSpec().getContainers().stream().map(c -> c.getImage() == null ? "" : c.getImage()).toList());
    }
}
