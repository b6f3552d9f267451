package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.api.patch.ApplySchema;
import dev.berth.core.apiserver.openapi.ServedKind;
import dev.berth.core.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server knows of the served custom resources beyond their {@link ResourceType}: the
 * schema, printer columns and scale paths of each served version, from its CustomResourceDefinition.
 */
public final class CustomResources {
    /**
     * One served version of a CRD.
     *
     * @param crdName        the CRD's name, {@code plural.group}
     * @param schema         the version's openAPIV3Schema, or null when it has none
     * @param printerColumns the version's additionalPrinterColumns, or null
     * @param scale          the version's {@code subresources.scale}, or null
     * @param terminating    the CRD is being deleted: no new objects are accepted
     */
    public record ServedVersion(String crdName, ResourceType type, StructuralSchema schema, ApplySchema applySchema,
                                JsonNode printerColumns, JsonNode scale, boolean terminating) {}

    private volatile Map<String, ServedVersion> byGvr = Map.of();

    private static String gvr(ResourceType t) {
        return t.group() + "/" + t.version() + "/" + t.resource();
    }

    public ServedVersion find(ResourceType t) {
        return t == null || !t.isCustom() ? null : byGvr.get(gvr(t));
    }

    public JsonNode printerColumns(ResourceType t) {
        ServedVersion v = find(t);
        return v == null ? null : v.printerColumns();
    }

    public JsonNode scale(ResourceType t) {
        ServedVersion v = find(t);
        return v == null ? null : v.scale();
    }

    public StructuralSchema schema(ResourceType t) {
        ServedVersion v = find(t);
        return v == null ? null : v.schema();
    }

    /** Replaces the versions stored at {@code storage} ({@code group/plural}); an empty list removes them. */
    synchronized void replace(String storage, List<ServedVersion> versions) {
        Map<String, ServedVersion> next = new LinkedHashMap<>();
        byGvr.forEach((k, v) -> {
            if (!v.type().storage().equals(storage)) {
                next.put(k, v);
            }
        });
        for (ServedVersion v : versions) {
            next.put(gvr(v.type()), v);
        }
        byGvr = Map.copyOf(next);
    }

    /** The storage locations currently served, e.g. {@code example.com/widgets}. */
    Set<String> storages() {
        Set<String> s = new LinkedHashSet<>();
        byGvr.values().forEach(v -> s.add(v.type().storage()));
        return s;
    }

    /** The served kinds as the OpenAPI documents describe them. */
    public List<ServedKind> servedKinds() {
        List<ServedKind> kinds = new ArrayList<>();
        byGvr.values().stream().sorted(java.util.Comparator.comparing(v -> gvr(v.type()))).forEach(v -> kinds.add(
                ServedKind.custom(v.type().group(), v.type().version(), v.type().kind(), v.type().resource(),
                        v.type().namespaced(), v.schema() == null ? null : v.schema().root())));
        return kinds;
    }

    static ApplySchema applySchemaOf(JsonNode schema) {
        return schema == null || schema.isMissingNode() ? ApplySchema.untyped() : ApplySchema.fromOpenApi(schema);
    }

    static JsonNode orNull(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n;
    }

    static JsonNode copy(Object o) {
        return o == null ? null : Json.MAPPER.valueToTree(o);
    }
}
