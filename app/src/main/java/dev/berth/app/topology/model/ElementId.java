package dev.berth.app.topology.model;

import java.util.Objects;

/**
 * Names one element of the topology: a Kubernetes kind (e.g. "Deployment"), its namespace ("" for
 * cluster-scoped kinds such as Node) and its name. Drafts use the same ids as the objects they
 * would become.
 */
public record ElementId(String kind, String namespace, String name) implements Comparable<ElementId> {
    public ElementId {
        Objects.requireNonNull(kind, "kind");
        namespace = namespace == null ? "" : namespace;
        Objects.requireNonNull(name, "name");
    }

    public static ElementId of(String kind, String namespace, String name) {
        return new ElementId(kind, namespace, name);
    }

    @Override
    public int compareTo(ElementId o) {
        int c = namespace.compareTo(o.namespace);
        if (c == 0) {
            c = kind.compareTo(o.kind);
        }
        return c == 0 ? name.compareTo(o.name) : c;
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
    }
}
