package dev.berth.core.controller.gc;

import dev.berth.core.controller.runtime.ApiResource;

/** One object the collector looks at: its resource, namespace ("" when cluster-scoped), name and uid. */
public record ObjectRef(ApiResource resource, String namespace, String name, String uid) {
    public ObjectRef {
        namespace = namespace == null ? "" : namespace;
    }

    @Override
    public String toString() {
        return resource.qualifiedName() + " " + (namespace.isEmpty() ? name : namespace + "/" + name) + " (" + uid + ")";
    }
}
