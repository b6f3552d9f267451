package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386), the body of {@code application/merge-patch+json}: objects merge
 * key by key, {@code null} deletes a key, every other value (arrays included) replaces.
 */
public final class JsonMergePatch {
    private JsonMergePatch() {
    }

    /** Returns the patched copy of {@code target}; neither argument is changed. */
    public static ObjectNode apply(ObjectNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            // A non-object patch would replace the whole object with a non-object, which no
            // resource can decode; Kubernetes rejects it before decoding as well.
            throw ApiException.badRequest("merge patch must be a JSON object, got "
                    + (patch == null ? "nothing" : patch.getNodeType().toString().toLowerCase()));
        }
        ObjectNode result = target == null ? Json.MAPPER.createObjectNode() : target.deepCopy();
        mergeInto(result, (ObjectNode) patch);
        return result;
    }

    private static void mergeInto(ObjectNode result, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                result.remove(e.getKey());
            } else if (value.isObject()) {
                JsonNode existing = result.get(e.getKey());
                ObjectNode child = existing != null && existing.isObject()
                        ? (ObjectNode) existing : Json.MAPPER.createObjectNode();
                mergeInto(child, (ObjectNode) value);
                result.set(e.getKey(), child);
            } else {
                result.set(e.getKey(), value.deepCopy());
            }
        }
    }
}
