package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Objects;

/**
 * One object added, changed or deleted, as an informer reports it. {@code kind} comes from the
 * cache it was read from (list items may carry no kind of their own).
 */
public record ObjectChange(String kind, boolean deleted, GenericKubernetesResource object) {
    public ObjectChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(object, "object");
    }

    public static ObjectChange upsert(String kind, GenericKubernetesResource object) {
        return new ObjectChange(kind, false, object);
    }

    public static ObjectChange delete(String kind, GenericKubernetesResource object) {
        return new ObjectChange(kind, true, object);
    }
}
