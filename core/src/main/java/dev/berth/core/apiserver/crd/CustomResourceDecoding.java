package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.apiserver.TypedCodec;
import dev.berth.core.apiserver.registry.ResourceType;

import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.ArrayList;
import java.util.List;

/** Decoding of custom resources as their CRD version's schema says: unknown fields pruned, defaults set. */
public final class CustomResourceDecoding implements TypedCodec.CustomResourceDecoding {
    private final CustomResources catalog;

    public CustomResourceDecoding(CustomResources catalog) {
        this.catalog = catalog;
    }

    /** metadata holds only what ObjectMeta defines, as for every other kind. */
    private static void pruneMetadata(ObjectNode tree, List<String> pruned) {
        if (!(tree.get("metadata") instanceof ObjectNode meta)) {
            return;
        }
        ObjectMeta known = Json.convert(meta, ObjectMeta.class);
        for (String field : known.getAdditionalProperties().keySet()) {
            meta.remove(field);
            pruned.add("metadata." + field);
        }
    }

    /** Applies the served version's defaults to an object read from storage; true when that changed it. */
    public boolean applyOnRead(ResourceType type, ObjectNode object) {
        StructuralSchema schema = catalog.schema(type);
        if (schema == null) {
            return false;
        }
        ObjectNode before = object.deepCopy();
        schema.applyDefaults(object);
        return !object.equals(before);
    }

    @Override
    public List<String> normalize(ResourceType type, ObjectNode tree) {
        StructuralSchema schema = catalog.schema(type);
        if (schema == null) {
            return List.of();
        }
        List<String> pruned = new ArrayList<>(schema.prune(tree));
        pruneMetadata(tree, pruned);
        schema.applyDefaults(tree);
        return pruned;
    }
}
