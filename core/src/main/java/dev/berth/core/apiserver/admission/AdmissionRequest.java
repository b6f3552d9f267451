package dev.berth.core.apiserver.admission;

import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One write going through admission.
 *
 * @param object the new object (mutating plugins change it in place; it is the server's own copy)
 * @param old    the stored object for updates and deletes, else null
 */
public record AdmissionRequest(ResourceType type, Operation operation, String subresource, HasMetadata object,
                               HasMetadata old, UserInfo user, boolean dryRun) {
    public enum Operation { CREATE, UPDATE, DELETE }

    public String namespace() {
        HasMetadata o = object != null ? object : old;
        return o.getMetadata().getNamespace();
    }
}
