package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.apiserver.TypedCodec;
import dev.berth.core.apiserver.registry.ResourceType;

import java.util.List;

/** Decoding of custom resources as their CRD version's schema says: unknown fields pruned, defaults set. */
public final class CustomResourceDecoding implements TypedCodec.CustomResourceDecoding {
    private final CustomResources catalog;

    public CustomResourceDecoding(CustomResources catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<String> normalize(ResourceType type, ObjectNode tree) {
        StructuralSchema schema = catalog.schema(type);
        if (schema == null) {
            return List.of();
        }
        List<String> pruned = schema.prune(tree);
        schema.applyDefaults(tree);
        return pruned;
    }
}
