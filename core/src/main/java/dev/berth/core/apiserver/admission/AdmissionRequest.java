package dev.berth.core.apiserver.admission;

import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;

/**
 * One write going through admission.
 *
 * @param object   the new object (mutating plugins change it in place; it is the server's own copy)
 * @param old      the stored object for updates and deletes, else null
 * @param warnings where plugins add warnings for the client (sent as {@code Warning} headers)
 */
public record AdmissionRequest(ResourceType type, Operation operation, String subresource, HasMetadata object,
                               HasMetadata old, UserInfo user, boolean dryRun, List<String> warnings) {
    public enum Operation { CREATE, UPDATE, DELETE }

    /** A request whose warnings nobody reads. */
    public AdmissionRequest(ResourceType type, Operation operation, String subresource, HasMetadata object,
                            HasMetadata old, UserInfo user, boolean dryRun) {
        this(type, operation, subresource, object, old, user, dryRun, new ArrayList<>());
    }

    public String namespace() {
        HasMetadata o = object != null ? object : old;
        return o.getMetadata().getNamespace();
    }
}
