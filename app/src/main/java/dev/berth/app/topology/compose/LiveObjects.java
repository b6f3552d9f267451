package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the cluster holds, as far as composing needs it: one object by key, and the objects of a
 * kind in a namespace (for unique names and for labels that must identify one workload).
 * Implementations answer from a cache; they must not block on the network when called from the
 * FX thread.
 */
public interface LiveObjects {
    /** The live object, or null. */
    GenericKubernetesResource get(DraftKey key);

    /** The live objects of {@code kind} in {@code namespace} ("" for cluster-scoped kinds). */
    List<GenericKubernetesResource> list(String kind, String namespace);

    /** An empty cluster. */
    static LiveObjects none() {
        return of(List.of());
    }

    /** A fixed snapshot, for tests and for composing offline. */
    static LiveObjects of(Collection<GenericKubernetesResource> objects) {
        Map<DraftKey, GenericKubernetesResource> byKey = new LinkedHashMap<>();
        for (GenericKubernetesResource o : objects) {
            byKey.put(DraftKey.of(o), o);
        }
        return new LiveObjects() {
            @Override
            public GenericKubernetesResource get(DraftKey key) {
                return byKey.get(key);
            }

            @Override
            public List<GenericKubernetesResource> list(String kind, String namespace) {
                String ns = namespace == null ? "" : namespace;
                return byKey.entrySet().stream()
                        .filter(e -> e.getKey().kind().equals(kind) && e.getKey().namespace().equals(ns))
                        .map(Map.Entry::getValue).toList();
            }
        };
    }
}
