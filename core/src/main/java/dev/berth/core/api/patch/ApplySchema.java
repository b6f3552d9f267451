package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The schema server-side apply merges and tracks fields with: which lists are associative (and
 * by which keys), sets or atomic, and which objects are structs. Built-in kinds take it from the
 * fabric8 model and the Kubernetes list tags ({@link #forType}); custom resources from the CRD's
 * OpenAPI v3 schema with {@code x-kubernetes-list-type}, {@code x-kubernetes-list-map-keys} and
 * {@code x-kubernetes-map-type} ({@link #fromOpenApi}).
 */
public final class ApplySchema {
    private final PatchSchema root;

    private ApplySchema(PatchSchema root) {
        this.root = root;
    }

    public static ApplySchema of(PatchSchema root) {
        return new ApplySchema(root);
    }

    public static ApplySchema forType(Class<?> fabric8RootClass) {
        return new ApplySchema(PatchSchema.forType(fabric8RootClass));
    }

    public static ApplySchema fromOpenApi(JsonNode openApiV3Schema) {
        return new ApplySchema(PatchSchema.fromOpenApi(openApiV3Schema));
    }

    /** No schema (a CRD with x-kubernetes-preserve-unknown-fields): every list is atomic. */
    public static ApplySchema untyped() {
        return new ApplySchema(PatchSchema.untyped());
    }

    public PatchSchema root() {
        return root;
    }
}
