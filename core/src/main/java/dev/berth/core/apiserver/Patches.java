package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.api.patch.ApplySchema;
import dev.berth.core.api.patch.JsonMergePatch;
import dev.berth.core.api.patch.JsonPatch;
import dev.berth.core.api.patch.PatchSchema;
import dev.berth.core.api.patch.ServerSideApply;
import dev.berth.core.api.patch.StrategicMergePatch;
import dev.berth.core.apiserver.registry.ResourceType;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The patch engine of the API server: the four patch types and server-side apply over the typed schemas. */
public final class Patches implements PatchEngine {
    private final Map<Class<?>, PatchSchema> patchSchemas = new ConcurrentHashMap<>();
    private final Map<Class<?>, ApplySchema> applySchemas = new ConcurrentHashMap<>();
    /** The structural schema of a custom resource, by storage; null when none is known. */
    private final Function<ResourceType, JsonNode> customSchemas;

    public Patches(Function<ResourceType, JsonNode> customSchemas) {
        this.customSchemas = customSchemas;
    }

    private ApplySchema applySchema(ResourceType t) {
        if (t.isCustom()) {
            JsonNode s = customSchemas.apply(t);
            return s == null ? ApplySchema.untyped() : ApplySchema.fromOpenApi(s);
        }
        return applySchemas.computeIfAbsent(t.type(), ApplySchema::forType);
    }

    @Override
    public ObjectNode patch(ResourceType type, ObjectNode live, String contentType, byte[] patch) {
        JsonNode p;
        try {
            p = Json.MAPPER.readTree(patch);
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding patch: " + WireFormats.firstLine(e.getMessage()));
        }
        if (p == null) {
            throw ApiException.badRequest("the patch is empty");
        }
        return switch (contentType) {
            case "application/merge-patch+json" -> JsonMergePatch.apply(live, p);
            case "application/json-patch+json" -> JsonPatch.apply(live, p);
            case "application/strategic-merge-patch+json" -> {
                if (type.isCustom()) {
                    throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - "
                            + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                            + "application/apply-patch+yaml");
                }
                yield StrategicMergePatch.apply(live, p, patchSchemas.computeIfAbsent(type.type(), PatchSchema::forType));
            }
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - "
                    + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/apply-patch+yaml" + (type.isCustom() ? "" : ", application/strategic-merge-patch+json"));
        };
    }

    @Override
    public ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager, boolean force,
                            String subresource, Instant now) {
        return ServerSideApply.apply(live, applied, manager, subresource == null || subresource.isEmpty() ? null : subresource,
                force, applySchema(type), now);
    }

    @Override
    public ObjectNode recordUpdate(ResourceType type, ObjectNode before, ObjectNode after, String manager,
                                   String subresource, Instant now) {
        String sub = subresource == null || subresource.isEmpty() || subresource.equals("finalize") ? null : subresource;
        return ServerSideApply.recordUpdate(before, after, manager, type.apiVersion(), sub, applySchema(type), now);
    }
}
