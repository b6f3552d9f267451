package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.Objects;

/**
 * Identifies an object across drafts and the live cluster: API group, kind, namespace ("" for
 * cluster-scoped kinds) and name. The version is left out, as the server stores one object for
 * every version of a group.
 */
public record DraftKey(String group, String kind, String namespace, String name) {
    public DraftKey {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(kind, "kind");
        namespace = namespace == null ? "" : namespace;
        Objects.requireNonNull(name, "name");
    }

    public static DraftKey of(HasMetadata o) {
        String apiVersion = o.getApiVersion() == null ? "" : o.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return new DraftKey(group, o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    /** {@code deployment/web}, as kubectl names objects. */
    public String shortName() {
        return kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
    }

    @Override
    public String toString() {
        return (namespace.isEmpty() ? "" : namespace + "/") + kind + "/" + name;
    }
}
