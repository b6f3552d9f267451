package dev.berth.core.apiserver.openapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Holds the current OpenAPI documents: built-in kinds are fixed, custom resources change with
 * CRDs. Documents are rebuilt only when the set of custom resources changes; readers always get a
 * complete, immutable snapshot.
 */
public final class OpenApiService {
    private final List<ServedKind> builtins;
    private List<ServedKind> customResources = List.of();
    private volatile OpenApiV3 current;

    public OpenApiService(List<ServedKind> builtins) {
        this.builtins = List.copyOf(builtins);
        this.current = OpenApiV3.build(this.builtins);
    }

    public OpenApiV3 current() {
        return current;
    }

    /** Replaces the served custom resources; rebuilds only when they differ from the previous ones. */
    public synchronized void customResourcesChanged(List<ServedKind> served) {
        List<ServedKind> copy = List.copyOf(served);
        if (Objects.equals(copy, customResources)) {
            return;
        }
        List<ServedKind> all = new ArrayList<>(builtins);
        all.addAll(copy);
        OpenApiV3 rebuilt = OpenApiV3.build(all);
        customResources = copy;
        current = rebuilt;
    }
}
