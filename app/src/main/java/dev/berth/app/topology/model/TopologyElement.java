package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Objects;

/**
 * One element of the topology, immutable: a new state of an object is a new element with the same
 * id. {@code object} is the cached object (read-only), null for drafts that have none yet.
 *
 * @param id      kind, namespace and name
 * @param draft   a draft that exists only in the app so far: skins draw it dashed
 * @param health  what colour it gets
 * @param summary a short line under its name, e.g. "3/3 ready" or "Running, 2 restarts"
 * @param pod     the live state of a Pod, null for other kinds
 * @param rollout replica counts of workloads and ReplicaSets, null for other kinds
 * @param object  the Kubernetes object behind it
 */
public record TopologyElement(ElementId id, boolean draft, Health health, String summary, PodState pod,
                              Rollout rollout, GenericKubernetesResource object) {
    public TopologyElement {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(health, "health");
        summary = summary == null ? "" : summary;
    }

    /** A draft element (for the compose tools): drawn dashed, never sent anywhere by the view. */
    public static TopologyElement draft(ElementId id, String summary, GenericKubernetesResource object) {
        return new TopologyElement(id, true, Health.UNKNOWN, summary, null, null, object);
    }

    public String kind() {
        return id.kind();
    }

    public String namespace() {
        return id.namespace();
    }

    public String name() {
        return id.name();
    }

    public boolean isPod() {
        return "Pod".equals(id.kind());
    }
}
