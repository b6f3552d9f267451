package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.apiserver.registry.ResourceType;

import java.time.Instant;

/** The PATCH types and server-side apply's field management, as the storage layer uses them. */
public interface PatchEngine {
    /** Applies a merge, JSON or strategic merge patch ({@code contentType} says which) to {@code live}. */
    ObjectNode patch(ResourceType type, ObjectNode live, String contentType, byte[] patch);

    /** Server-side apply of {@code applied} by {@code manager} onto {@code live} (null when creating). */
    ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager, boolean force,
                     String subresource, Instant now);

    /** Records a non-apply write in {@code after}'s managedFields; {@code before} is null on create. */
    ObjectNode recordUpdate(ResourceType type, ObjectNode before, ObjectNode after, String manager,
                            String subresource, Instant now);
}
