package dev.berth.core.apiserver.openapi;

import dev.berth.core.apiserver.registry.BuiltinResources;

import java.util.List;

/** The built-in kinds the API server serves, as OpenAPI inputs: derived from the resource registry. */
public final class BuiltinKinds {
    private BuiltinKinds() {}

    public static List<ServedKind> all() {
        return BuiltinResources.all().stream()
                .filter(t -> t.type() != null)   // the reviews have no model class and are never stored
                .map(t -> ServedKind.builtin(t.group(), t.version(), t.kind(), t.resource(), t.namespaced(), t.type()))
                .toList();
    }
}
