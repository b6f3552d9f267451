package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.patch.ApplySchema;
import dev.berth.core.api.patch.ServerSideApply;
import dev.berth.core.apiserver.PatchEngine;
import dev.berth.core.apiserver.registry.ResourceType;

import java.time.Instant;

/**
 * Server-side apply of custom resources over their CRD schema (list types, map keys); every other
 * patch goes to the engine of the built-in kinds, which also refuses strategic merge patches of
 * custom resources.
 */
public final class CustomResourcePatches implements PatchEngine {
    private final PatchEngine builtin;
    private final CustomResources catalog;

    public CustomResourcePatches(PatchEngine builtin, CustomResources catalog) {
        this.builtin = builtin;
        this.catalog = catalog;
    }

    private ApplySchema schema(ResourceType t) {
        CustomResources.ServedVersion v = catalog.find(t);
        return v == null ? null : v.applySchema();
    }

    @Override
    public ObjectNode patch(ResourceType type, ObjectNode live, String contentType, byte[] patch) {
        return builtin.patch(type, live, contentType, patch);
    }

    @Override
    public ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager, boolean force,
                            String subresource, Instant now) {
        ApplySchema s = schema(type);
        if (s == null) {
            return builtin.apply(type, live, applied, manager, force, subresource, now);
        }
        return ServerSideApply.apply(live, applied, manager, subresource == null || subresource.isEmpty() ? null
                : subresource, force, s, now);
    }

    @Override
    public ObjectNode recordUpdate(ResourceType type, ObjectNode before, ObjectNode after, String manager,
                                   String subresource, Instant now) {
        ApplySchema s = schema(type);
        if (s == null) {
            return builtin.recordUpdate(type, before, after, manager, subresource, now);
        }
        String sub = subresource == null || subresource.isEmpty() || subresource.equals("finalize") ? null : subresource;
        return ServerSideApply.recordUpdate(before, after, manager, type.apiVersion(), sub, s, now);
    }
}
