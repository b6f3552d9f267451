package dev.berth.core.apiserver.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;

import java.util.Map;

/**
 * One object as the cache holds it: the serialized JSON with its resourceVersion stamped in, and
 * what selectors need, parsed once when the object was written.
 *
 * @param key         store key
 * @param namespace   namespace, or "" for cluster-scoped objects
 * @param name        name
 * @param json        the object's JSON bytes with metadata.resourceVersion set
 * @param modRevision the store revision of the last write
 * @param labels      metadata.labels
 * @param fields      values for field selectors (metadata.name, metadata.namespace, spec.nodeName, ...)
 */
public record CachedObject(String key, String namespace, String name, byte[] json, long modRevision,
                           Map<String, String> labels, Map<String, String> fields) {

    /** A fresh mutable tree of the object (the cached bytes are never changed). */
    public ObjectNode tree() {
        return Json.parseObject(json);
    }
}
