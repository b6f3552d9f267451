package dev.berth.core.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.PatchEngine;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.registry.ResourceType;

import java.time.Instant;
import java.util.List;

/** The standard admission plugins and patch engine of a Berth API server. */
final class Admission {
    private Admission() {}

    static List<AdmissionPlugin> standard() {
        return List.of();
    }

    static PatchEngine patchEngine() {
        return new PatchEngine() {
            @Override
            public ObjectNode patch(ResourceType type, ObjectNode live, String contentType, byte[] patch) {
                throw ApiException.unsupportedMediaType("patch is not available");
            }

            @Override
            public ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager,
                                    boolean force, String subresource, Instant now) {
                throw ApiException.unsupportedMediaType("apply is not available");
            }

            @Override
            public ObjectNode recordUpdate(ResourceType type, ObjectNode before, ObjectNode after, String manager,
                                           String subresource, Instant now) {
                return after;
            }
        };
    }
}
